// PendingInputs on its own: numbering, the byte limit, cumulative acknowledgement, resending in order, and
// the compaction of acknowledged entries that keeps a long session's buffer from growing without end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Type } from "../src/codec.js";
import { SendBufferFullError } from "../src/errors.js";
import { PendingInputs } from "../src/pending-inputs.js";
import { Recorder } from "./recorder.js";

const payload = (n: number, fill = 0) => new Uint8Array(n).fill(fill);
const resent = (p: PendingInputs, outputAck = 0n) => {
  const r = new Recorder();
  p.resend(r, 1, outputAck);
  return r.on(1).map((f) => (f.type === Type.INPUT ? { seq: f.seq, ack: f.ack, first: f.payload[0] } : f));
};

test("numbers inputs 1, 2, 3 and counts their payload bytes", () => {
  const p = new PendingInputs(100);
  assert.equal(p.add(payload(3)), 1n);
  assert.equal(p.add(payload(4)), 2n);
  assert.equal(p.add(payload(0)), 3n);
  assert.equal(p.size, 3);
  assert.equal(p.bytes, 7);
});

test("an input that would pass the limit throws SendBufferFullError and is neither kept nor numbered", () => {
  const p = new PendingInputs(10);
  p.add(payload(6));
  assert.throws(() => p.add(payload(5)), (e: unknown) => e instanceof SendBufferFullError
    && e.limitBytes === 10 && e.pendingBytes === 6 && /5 more would pass the limit of 10/.test(e.message));
  assert.equal(p.size, 1);
  assert.equal(p.bytes, 6);
  assert.equal(p.add(payload(4)), 2n, "exactly at the limit is allowed, and the refused one took no number");
});

test("acknowledgement is cumulative: it frees bytes, and an older or repeated one changes nothing", () => {
  const p = new PendingInputs(100);
  [1, 2, 3, 4].forEach((n) => p.add(payload(n)));
  p.ack(2n);
  assert.equal(p.size, 2);
  assert.equal(p.bytes, 7);
  p.ack(1n);
  p.ack(2n);
  assert.equal(p.size, 2);
  p.ack(9n);
  assert.equal(p.size, 0);
  assert.equal(p.bytes, 0);
});

test("resend sends every unacknowledged input, oldest first, each carrying the output ack given", () => {
  const p = new PendingInputs(100);
  [1, 2, 3].forEach((n) => p.add(payload(1, n)));
  p.ack(1n);
  assert.deepEqual(resent(p, 7n), [{ seq: 2n, ack: 7n, first: 2 }, { seq: 3n, ack: 7n, first: 3 }]);
  assert.deepEqual(resent(p, 8n).map((i) => (i as { seq: bigint }).seq), [2n, 3n], "resending keeps them");
});

test("numbering, bytes and resend stay right across the compaction of acknowledged entries (past 1024)", () => {
  const p = new PendingInputs(1 << 20);
  for (let i = 1; i <= 3000; i++) {
    p.add(payload(1, i % 256));
  }
  p.ack(1025n); // head passes 1024 but is not yet half of the 3000: nothing cut
  p.ack(2000n); // now more than half is acknowledged: cut
  assert.equal(p.size, 1000);
  assert.equal(p.bytes, 1000);
  assert.equal(p.add(payload(2)), 3001n);
  const seqs = resent(p).map((i) => (i as { seq: bigint }).seq);
  assert.equal(seqs.length, 1001);
  assert.equal(seqs[0], 2001n);
  assert.equal(seqs.at(-1), 3001n);
  assert.ok(seqs.every((s, i) => s === 2001n + BigInt(i)), "in order, no gap, no repeat");
  p.ack(2500n);
  assert.equal(p.size, 501);
  assert.equal(p.bytes, 502);
});
