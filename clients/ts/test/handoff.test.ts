// Handoff on its own, against a recording outbox and a session of real rooms: the target hinted or
// announced, the pre-connection and its frames, and the decisions at the SWITCH or without one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, type Frame, HelloKind, Type, VERSION } from "../src/codec.js";
import { parseEndpoint } from "../src/endpoint.js";
import { Handoff, type HandoffSession } from "../src/handoff.js";
import { Link } from "../src/link.js";
import type { LifecycleType } from "../src/outbox.js";
import { OutputDelivery } from "../src/output-delivery.js";
import { PendingInputs } from "../src/pending-inputs.js";
import { defaultTiming } from "../src/timers.js";
import { Recorder } from "./recorder.js";

const ORIGIN = parseEndpoint("tcp://127.0.0.1:7000");
const TICKET = new Uint8Array(16).fill(9);
const MOVE = { type: Type.MOVE, handoffId: 0xabn, ticket: TICKET, host: "127.0.0.2", port: 7100, webSocket: "" } as const;
const WELCOME: Frame = { type: Type.WELCOME, version: VERSION, sessionId: 42n, secret: new Uint8Array(16), inputAck: 0n };
const output = (seq: bigint, ack = 0n): Frame => ({ type: Type.OUTPUT, seq, ack, payload: new Uint8Array([Number(seq)]) });

/** The rooms a handoff works with, and what it told the session. */
class Session implements HandoffSession {
  readonly out = new Recorder();
  readonly timing = defaultTiming();
  readonly inputs = new PendingInputs(1 << 20);
  readonly outputs = new OutputDelivery(this.out, 150);
  readonly emitted: [LifecycleType, string][] = [];
  emit(type: LifecycleType, detail: string): void { this.emitted.push([type, detail]); }
  types(): LifecycleType[] { return this.emitted.map(([t]) => t); }
}

/** A handoff announced by MOVE whose pre-connection (connection 1) the target has welcomed; the source is connection 99. */
function attached(): { s: Session; h: Handoff; source: Link } {
  const s = new Session();
  const h = new Handoff(s);
  const source = new Link(99, ORIGIN, s.timing, 0);
  source.welcomed();
  h.announced(ORIGIN, MOVE);
  h.attach(0);
  h.connected(42n, 0);
  h.frame(WELCOME, source, 10);
  return { s, h, source };
}

test("a hint names the target to resume at; a withdrawn one only after a SWITCH; a MOVE replaces it", () => {
  const h = new Handoff(new Session());
  assert.equal(h.resumeTarget(false), null);
  h.hinted(ORIGIN, "127.0.0.3", 7200, "");
  assert.equal(h.resumeTarget(false)?.url, "tcp://127.0.0.3:7200");
  h.hinted(ORIGIN, "127.0.0.4", 7300, "");
  assert.equal(h.resumeTarget(false)?.url, "tcp://127.0.0.3:7200", "a later hint does not replace a known target");
  h.hinted(ORIGIN, "", 0, "");
  assert.equal(h.resumeTarget(false), null, "withdrawn");
  assert.equal(h.resumeTarget(true)?.url, "tcp://127.0.0.3:7200", "after a SWITCH the target is where the session is");
  h.announced(ORIGIN, MOVE);
  assert.equal(h.target?.url, "tcp://127.0.0.2:7100");
});

test("attach opens the pre-connection with HELLO ATTACH and the ticket; the target's welcome sends ATTACHED", () => {
  const { s, h } = attached();
  assert.deepEqual(s.out.opened, ["tcp://127.0.0.2:7100"]);
  assert.deepEqual(s.out.on(1), [{ type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.ATTACH,
    sessionId: 42n, token: TICKET, outputAck: 0n }]);
  assert.deepEqual(s.out.on(99), [{ type: Type.ATTACHED, handoffId: 0xabn }]);
  assert.ok(h.preConnection?.ready);
  assert.deepEqual(s.types(), ["moved", "attached"]);
  h.attach(20); // a second MOVE: the old pre-connection goes
  assert.deepEqual(s.out.closed, [1]);
  assert.equal(h.preConnection?.conn, 2);
});

test("a pre-connection refused, answered in another version or sent a frame it may not carry is dropped", () => {
  const refused = attached();
  refused.h.frame({ type: Type.ERROR, code: ErrorCode.BAD_TICKET, message: "ticket unknown" }, refused.source, 20);
  assert.equal(refused.h.preConnection, null);
  assert.deepEqual(refused.s.out.closed, [1]);
  assert.deepEqual(refused.s.emitted.at(-1), ["attach_failed", "BAD_TICKET: ticket unknown"]);

  const s = new Session();
  const h = new Handoff(s);
  h.announced(ORIGIN, MOVE);
  h.attach(0);
  h.frame({ ...WELCOME, version: VERSION + 1 } as Frame, null, 5);
  assert.equal(h.preConnection, null);
  assert.equal(s.types().at(-1), "attach_failed");
  assert.match(s.emitted.at(-1)![1], /answered in client-link version 5/);

  const breach = attached();
  breach.h.frame({ type: Type.SWITCH, handoffId: 0xabn, lastOutputSeq: 0n }, breach.source, 20);
  assert.equal(breach.h.preConnection, null);
  assert.deepEqual(breach.s.types(), ["moved", "attached"], "dropped without an event");
});

test("the target's outputs and acks on the pre-connection reach the session's rooms; its PING is answered", () => {
  const { s, h, source } = attached();
  s.inputs.add(new Uint8Array(1));
  s.inputs.add(new Uint8Array(1));
  h.frame(output(1n, 1n), source, 20);
  h.frame({ type: Type.ACK, ack: 2n }, source, 20);
  h.frame({ type: Type.PING, value: 77n }, source, 20);
  assert.deepEqual(s.out.delivered, [[1, 1]]);
  assert.equal(s.inputs.size, 0);
  assert.deepEqual(s.out.on(1).at(-1), { type: Type.PONG, value: 77n });
});

test("without a SWITCH the pre-connection carries on only once the target spoke and nothing before it is missing", () => {
  const { s, h, source } = attached();
  assert.equal(h.carryOnWithoutSwitch(0n), null, "the target has not sent an output yet");
  h.frame(output(5n), source, 20); // held: 1..4 are the source's
  assert.equal(h.carryOnWithoutSwitch(3n), null, "output 4 is missing");
  const carried = h.carryOnWithoutSwitch(4n);
  assert.equal(carried?.conn, 1);
  assert.equal(h.preConnection, null);
  assert.equal(h.target, null);
  assert.deepEqual(s.out.closed, [], "the carried connection stays open");
});

test("at the SWITCH an attached, caught-up pre-connection carries on; otherwise it is closed", () => {
  const caughtUp = attached();
  assert.equal(caughtUp.h.switched(true)?.conn, 1);
  assert.deepEqual(caughtUp.s.out.closed, []);
  assert.equal(caughtUp.h.resumeTarget(true), null, "the handoff is over");

  const behind = attached();
  assert.equal(behind.h.switched(false), null);
  assert.deepEqual(behind.s.out.closed, [1]);
});

test("a lost pre-connection is an attach failure only if it never attached; an abort forgets the target", () => {
  const s = new Session();
  const h = new Handoff(s);
  h.announced(ORIGIN, MOVE);
  h.attach(0);
  h.preConnectionLost();
  assert.deepEqual(s.emitted.at(-1), ["attach_failed",
    "could not attach to tcp://127.0.0.2:7100; will resume there after the switch"]);

  const a = attached();
  a.h.preConnectionLost();
  assert.deepEqual(a.s.types(), ["moved", "attached"]);
  a.h.aborted(0xabn);
  assert.equal(a.h.target, null);
  assert.deepEqual(a.s.emitted.at(-1), ["move_aborted", "handoff ab aborted"]);
});
