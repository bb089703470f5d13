// OutputDelivery on its own: once each and in order whatever the arrival order, the reorder buffer's bound,
// and when it acknowledges (8 at once, fewer after the ack delay, nothing owed after a frame carried it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Frame, Type } from "../src/codec.js";
import { parseEndpoint } from "../src/endpoint.js";
import { Link } from "../src/link.js";
import { ACK_EVERY, MAX_EARLY, OutputDelivery } from "../src/output-delivery.js";
import { defaultTiming, NEVER } from "../src/timers.js";
import { Recorder } from "./recorder.js";

const one = (b: number) => new Uint8Array([b]);
const acks = (r: Recorder) => r.on(1).flatMap((f: Frame) => (f.type === Type.ACK ? [f.ack] : []));

function readyLink(): Link {
  const l = new Link(1, parseEndpoint("tcp://127.0.0.1:7000"), defaultTiming(), 0);
  l.welcomed();
  return l;
}

test("any arrival order delivers 1, 2, 3... once each, draining the held run when a gap fills", () => {
  const r = new Recorder();
  const d = new OutputDelivery(r, 150);
  for (const s of [3, 5, 2, 3, 4, 1, 1, 6, 2]) {
    d.receive(BigInt(s), one(s * 10));
  }
  assert.deepEqual(r.delivered, [[10, 1], [20, 2], [30, 3], [40, 4], [50, 5], [60, 6]]);
  assert.equal(d.delivered, 6n);
});

test("the reorder buffer holds at most MAX_EARLY outputs; one past it is dropped, to come again by resend", () => {
  const r = new Recorder();
  const d = new OutputDelivery(r, 150);
  for (let s = 2; s <= MAX_EARLY + 2; s++) { // MAX_EARLY + 1 early outputs: the last finds the buffer full
    d.receive(BigInt(s), one(s % 256));
  }
  d.receive(1n, one(1));
  assert.equal(d.delivered, BigInt(MAX_EARLY + 1), "1 and the MAX_EARLY held; the one after was dropped");
  d.receive(BigInt(MAX_EARLY + 2), one(7));
  assert.equal(d.delivered, BigInt(MAX_EARLY + 2), "its resend is delivered");
  assert.equal(r.delivered.length, MAX_EARLY + 2);
});

test("a burst of ACK_EVERY delivered acknowledges at once; fewer arm the ack timer for ackDelay", () => {
  const r = new Recorder();
  const d = new OutputDelivery(r, 150);
  const link = readyLink();
  d.receive(1n, one(1));
  d.flush(1000, link);
  assert.deepEqual(acks(r), []);
  assert.equal(d.ackDueAt, 1150);
  d.receive(2n, one(2));
  d.flush(1100, link);
  assert.equal(d.ackDueAt, 1150, "an armed timer is not pushed back by a later burst");
  d.sendAck(link);
  assert.deepEqual(acks(r), [2n]);
  assert.equal(d.ackDueAt, NEVER);
  for (let s = 3; s < 3 + ACK_EVERY; s++) {
    d.receive(BigInt(s), one(s));
  }
  d.flush(2000, link);
  assert.deepEqual(acks(r), [2n, BigInt(2 + ACK_EVERY)]);
  assert.equal(d.ackDueAt, NEVER);
});

test("nothing is acknowledged twice, nor without a ready connection, nor after a frame carried the ack", () => {
  const r = new Recorder();
  const d = new OutputDelivery(r, 150);
  d.receive(1n, one(1));
  d.sendAck(null);
  assert.deepEqual(acks(r), [], "no ready connection: nothing sent");
  assert.equal(d.ackDueAt, NEVER);
  d.sendAck(readyLink());
  assert.deepEqual(acks(r), [1n]);
  d.sendAck(readyLink());
  assert.deepEqual(acks(r), [1n], "already acknowledged");
  d.receive(2n, one(2));
  d.acknowledged(); // an INPUT carried delivered = 2
  d.flush(0, readyLink());
  assert.equal(d.ackDueAt, NEVER, "nothing owed");
});
