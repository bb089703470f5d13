// The sans-I/O core on a fake network and a virtual clock: the test plays the servers, frame by frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, type Frame, HelloKind, Type, VERSION } from "../src/codec.js";
import { ClientCore, defaultTiming, type LifecycleEvent, type Outbox } from "../src/core.js";
import { type Endpoint, parseEndpoint } from "../src/endpoint.js";
import { SendBufferFullError } from "../src/errors.js";

interface Conn { id: number; to: string; at: number; sent: Frame[]; closed: boolean; released: boolean }

const SECRET = new Uint8Array(16).fill(7);
const TICKET = new Uint8Array(16).fill(9);
const bytes = (...b: number[]) => new Uint8Array(b);

/** The core's world: every connection it opened, what it sent on each, what it delivered, the clock. */
class World implements Outbox {
  now = 0;
  readonly conns: Conn[] = [];
  readonly delivered: [number, number][] = [];
  readonly events: LifecycleEvent[] = [];
  session: bigint | null = null;
  lostReason: string | null = null;
  readonly core: ClientCore;

  constructor(url = "tcp://127.0.0.1:7000", sendBufferBytes = 1 << 20, resumeWindow = 30_000) {
    this.core = new ClientCore(parseEndpoint(url), { timing: defaultTiming(resumeWindow), sendBufferBytes }, this);
    this.core.start(this.now);
  }

  connect(to: Endpoint): number {
    const c = { id: this.conns.length + 1, to: to.url, at: this.now, sent: [], closed: false, released: false };
    this.conns.push(c);
    return c.id;
  }
  send(conn: number, frame: Frame): void { this.conn(conn).sent.push(frame); }
  close(conn: number): void { this.conn(conn).closed = true; }
  release(conn: number): void { this.conn(conn).released = true; }
  deliver(payload: Uint8Array, index: number): void { this.delivered.push([payload[0]!, index]); }
  event(e: LifecycleEvent): void { this.events.push(e); }
  established(sessionId: bigint): void { this.session = sessionId; }
  lost(reason: string): void { this.lostReason = reason; }

  conn(id: number): Conn { return this.conns[id - 1]!; }
  last(): Conn { return this.conns[this.conns.length - 1]!; }
  types(): string[] { return this.events.map((e) => e.type); }

  /** The server's side of one connection: the driver reports each frame, then the end of the burst. */
  from(conn: number, ...frames: Frame[]): void {
    for (const f of frames) {
      this.core.frame(conn, f, this.now);
    }
    this.core.flush(this.now);
  }

  /** Opens connection `conn` and welcomes the session there. */
  welcome(conn: number, inputAck = 0n, session = 42n): void {
    this.core.connected(conn, this.now);
    this.from(conn, { type: Type.WELCOME, version: VERSION, sessionId: session,
      secret: this.session === null ? SECRET : new Uint8Array(16), inputAck });
  }

  /** The driver reports connection `conn` gone; a retry due at once goes out in the poll that follows. */
  lose(conn: number): void {
    this.core.disconnected(conn, this.now);
    this.advance(0);
  }

  /** Moves the virtual clock to `to`, polling at every deadline on the way, as the driver's timer does. */
  advance(ms: number): void {
    const to = this.now + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const d = this.core.nextDeadline();
      if (d > to) {
        break;
      }
      this.now = Math.max(this.now, d);
      this.core.poll(this.now);
      this.core.flush(this.now);
    }
    this.now = to;
  }
}

const out = (seq: bigint, b: number, ack = 0n): Frame => ({ type: Type.OUTPUT, seq, ack, payload: bytes(b) });
const inputsOn = (c: Conn) => c.sent.flatMap((f) => (f.type === Type.INPUT ? [Number(f.seq)] : []));

test("opens with HELLO NEW, numbers inputs from 1 and sends them once welcomed", () => {
  const w = new World();
  assert.equal(w.conns.length, 1);
  w.core.send(bytes(1), w.now); // before the welcome: kept, not sent
  w.welcome(1);
  const hello = w.conn(1).sent[0]!;
  assert.deepEqual(hello, { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.NEW, sessionId: 0n,
    token: new Uint8Array(16), outputAck: 0n });
  w.core.send(bytes(2), w.now);
  assert.deepEqual(inputsOn(w.conn(1)), [1, 2]);
  assert.equal(w.session, 42n);
  assert.deepEqual(w.types(), ["connected"]);
});

test("a WELCOME in a version this SDK does not speak ends the session, naming both sides, and is not read", () => {
  const w = new World();
  w.core.connected(1, w.now);
  w.from(1, { type: Type.WELCOME, version: 5, sessionId: 42n, secret: SECRET, inputAck: 0n, tickHz: 30 });
  assert.equal(w.session, null);
  assert.match(w.lostReason!, /client-link version 5.*it speaks 4\.\.4/);
  const err = w.conn(1).sent.at(-1)!;
  assert.equal(err.type, Type.ERROR);
  assert.equal(err.type === Type.ERROR && err.code, ErrorCode.UNSUPPORTED_VERSION);
  assert.ok(!w.types().includes("connected"));
});

test("delivers outputs once and in order: duplicates dropped, early ones held until the gap fills", () => {
  const w = new World();
  w.welcome(1);
  w.from(1, out(1n, 10), out(3n, 30), out(1n, 10), out(2n, 20), out(3n, 30), out(5n, 50));
  assert.deepEqual(w.delivered, [[10, 1], [20, 2], [30, 3]]);
  w.from(1, out(4n, 40));
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2, 3, 4, 5]);
});

test("acknowledges outputs after 8 at once, fewer within 150 ms, and every INPUT carries the last delivered", () => {
  const w = new World();
  w.welcome(1);
  const acks = () => w.conn(1).sent.filter((f) => f.type === Type.ACK).map((f) => (f as { ack: bigint }).ack);
  w.from(1, out(1n, 1), out(2n, 2));
  assert.deepEqual(acks(), []);
  w.advance(149);
  assert.deepEqual(acks(), []);
  w.advance(1);
  assert.deepEqual(acks(), [2n]);
  w.from(1, ...[3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n].map((s) => out(s, 0)));
  assert.deepEqual(acks(), [2n, 10n]);
  w.from(1, out(11n, 0));
  w.core.send(bytes(1), w.now);
  const input = w.conn(1).sent.at(-1)!;
  assert.equal(input.type === Type.INPUT && input.ack, 11n);
  w.advance(200);
  assert.deepEqual(acks(), [2n, 10n], "the INPUT acknowledged output 11: no ACK owed");
});

test("a dropped connection is resumed at once with the secret, and nothing is lost either way", () => {
  const w = new World();
  w.welcome(1);
  for (let i = 1; i <= 5; i++) {
    w.core.send(bytes(i), w.now);
  }
  w.from(1, out(1n, 1, 2n), out(2n, 2, 2n)); // the server applied inputs 1 and 2
  w.advance(10);
  w.lose(1);
  assert.equal(w.conns.length, 2, "retried at once");
  w.core.connected(2, w.now);
  assert.deepEqual(w.conn(2).sent[0], { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.RESUME, sessionId: 42n,
    token: SECRET, outputAck: 2n });
  w.from(2, { type: Type.WELCOME, version: VERSION, sessionId: 42n, secret: new Uint8Array(16), inputAck: 3n });
  assert.deepEqual(inputsOn(w.conn(2)), [4, 5], "resends what the server had not applied");
  w.from(2, out(2n, 2), out(3n, 3)); // the server resends after outputAck; 2 is a duplicate
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2, 3]);
  assert.deepEqual(w.types(), ["connected", "disconnected", "resumed"]);
  assert.equal(w.core.pendingInputs, 2);
});

test("reconnects at once, then after 50, 100, 200, 400, 800 ms and every 1 s", () => {
  const w = new World();
  w.welcome(1);
  const lossAt = w.now;
  w.lose(1);
  for (let i = 0; i < 8; i++) {
    const c = w.last();
    w.lose(c.id); // the connect failed
    while (w.last() === c) {
      w.advance(1);
    }
  }
  const times = [lossAt, ...w.conns.slice(1).map((c) => c.at)];
  const waits = times.slice(1).map((t, i) => t - times[i]!);
  assert.deepEqual(waits, [0, 50, 100, 200, 400, 800, 1000, 1000, 1000]);
});

test("pings after 400 ms of silence, and a connection silent for 1.5 s is dead and replaced", () => {
  const w = new World();
  w.welcome(1);
  w.advance(399);
  assert.ok(!w.conn(1).sent.some((f) => f.type === Type.PING));
  w.advance(1);
  assert.ok(w.conn(1).sent.some((f) => f.type === Type.PING));
  w.advance(1099);
  assert.equal(w.conns.length, 1);
  w.advance(1);
  assert.ok(w.conn(1).closed);
  assert.equal(w.conns.length, 2, "reconnecting");
  assert.deepEqual(w.types(), ["connected", "disconnected"]);
});

test("answers PING with PONG carrying the same value", () => {
  const w = new World();
  w.welcome(1);
  w.from(1, { type: Type.PING, value: 0xfedcba9876543210n });
  assert.deepEqual(w.conn(1).sent.at(-1), { type: Type.PONG, value: 0xfedcba9876543210n });
});

/** A session on the source (conn 1) with inputs 1-3 sent, outputs 1-2 delivered, then MOVE and attach. */
function attached(url = "tcp://127.0.0.1:7000"): World {
  const w = new World(url);
  w.welcome(1);
  for (let i = 1; i <= 3; i++) {
    w.core.send(bytes(i), w.now);
  }
  w.from(1, out(1n, 1, 1n), out(2n, 2, 1n));
  w.from(1, { type: Type.MOVE, handoffId: 5n, ticket: TICKET, host: "127.0.0.2", port: 7100, webSocket: "" });
  assert.equal(w.conns.length, 2);
  w.core.connected(2, w.now);
  assert.deepEqual(w.conn(2).sent[0], { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.ATTACH, sessionId: 42n,
    token: TICKET, outputAck: 2n });
  w.from(2, { type: Type.WELCOME, version: VERSION, sessionId: 42n, secret: new Uint8Array(16), inputAck: 1n });
  assert.deepEqual(w.conn(1).sent.at(-1), { type: Type.ATTACHED, handoffId: 5n });
  return w;
}

test("handoff: MOVE, attach with the ticket, SWITCH; inputs resent on the target, nothing lost or doubled", () => {
  const w = attached();
  assert.equal(w.conn(2).to, "tcp://127.0.0.2:7100");
  w.from(1, out(3n, 3, 2n), { type: Type.SWITCH, handoffId: 5n, lastOutputSeq: 3n });
  assert.deepEqual(inputsOn(w.conn(2)), [3], "input 3, not applied at the source, goes to the target");
  assert.ok(w.conn(1).released && !w.conn(2).closed);
  w.core.send(bytes(4), w.now);
  assert.deepEqual(inputsOn(w.conn(2)), [3, 4]);
  w.from(1, out(3n, 3)); // the source's connection is let go: what still comes on it is ignored
  w.from(2, out(4n, 4, 4n));
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2, 3, 4]);
  assert.equal(w.core.endpoint, "tcp://127.0.0.2:7100");
  assert.deepEqual(w.types(), ["connected", "moved", "attached", "switched"]);
  assert.equal(w.events.at(-1)!.endpoint, "tcp://127.0.0.2:7100");
  assert.equal(w.core.pendingInputs, 0);
});

test("target outputs that overtake the SWITCH wait in order for the source's last ones", () => {
  const w = attached();
  w.from(2, out(4n, 4), out(5n, 5));
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2]);
  w.from(1, out(3n, 3), { type: Type.SWITCH, handoffId: 5n, lastOutputSeq: 3n });
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2, 3, 4, 5]);
});

test("a WebSocket session goes to the URL a MOVE carries, else to host:port with the given URL's scheme and path", () => {
  const named = new World("wss://game.example:443/baton?room=1");
  named.welcome(1);
  named.from(1, { type: Type.MOVE, handoffId: 1n, ticket: TICKET, host: "10.0.0.2", port: 8443,
    webSocket: "wss://edge.example:9443/b2" });
  assert.equal(named.conn(2).to, "wss://edge.example:9443/b2");
  const unnamed = new World("wss://game.example:443/baton?room=1");
  unnamed.welcome(1);
  unnamed.from(1, { type: Type.MOVE, handoffId: 1n, ticket: TICKET, host: "10.0.0.2", port: 8443, webSocket: "" });
  assert.equal(unnamed.conn(2).to, "wss://10.0.0.2:8443/baton?room=1");
  const tcp = new World("tcp://127.0.0.1:7000");
  tcp.welcome(1);
  tcp.from(1, { type: Type.TARGET_HINT, host: "127.0.0.9", port: 9000, webSocket: "ws://127.0.0.9:9000/baton" });
  tcp.lose(1);
  tcp.lose(2);
  assert.equal(tcp.last().to, "tcp://127.0.0.9:9000", "a TCP session ignores the WebSocket URL");
});

test("a SWITCH without an attached pre-connection resumes at the target, and counts as the switch", () => {
  const w = new World();
  w.welcome(1);
  w.core.send(bytes(1), w.now);
  w.from(1, { type: Type.MOVE, handoffId: 5n, ticket: TICKET, host: "127.0.0.2", port: 7100, webSocket: "" });
  w.lose(2); // the pre-connection failed
  assert.deepEqual(w.types(), ["connected", "moved", "attach_failed"]);
  w.from(1, out(1n, 1), { type: Type.SWITCH, handoffId: 5n, lastOutputSeq: 1n });
  const resume = w.last();
  assert.equal(resume.to, "tcp://127.0.0.2:7100");
  w.core.connected(resume.id, w.now);
  assert.deepEqual(resume.sent[0], { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.RESUME, sessionId: 42n,
    token: SECRET, outputAck: 1n });
  w.from(resume.id, { type: Type.WELCOME, version: VERSION, sessionId: 42n, secret: new Uint8Array(16), inputAck: 0n },
    out(2n, 2, 1n));
  assert.deepEqual(inputsOn(resume), [1]);
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2]);
  assert.deepEqual(w.types(), ["connected", "moved", "attach_failed", "switched"]);
  assert.equal(w.core.endpoint, "tcp://127.0.0.2:7100");
});

test("a SWITCH whose source outputs the client lacks resumes at the target instead of carrying on", () => {
  const w = attached();
  w.from(1, { type: Type.SWITCH, handoffId: 5n, lastOutputSeq: 4n }); // outputs 3 and 4 never came
  assert.ok(w.conn(2).closed, "the pre-connection cannot carry on");
  const resume = w.last();
  assert.equal(resume.id, 3);
  w.core.connected(3, w.now);
  assert.equal((resume.sent[0] as { kind: HelloKind }).kind, HelloKind.RESUME);
});

test("MOVE_ABORTED drops the pre-connection and the session stays", () => {
  const w = attached();
  w.from(1, { type: Type.MOVE_ABORTED, handoffId: 5n });
  assert.ok(w.conn(2).closed);
  w.core.send(bytes(9), w.now);
  assert.deepEqual(inputsOn(w.conn(1)), [1, 2, 3, 4]);
  assert.equal(w.core.endpoint, "tcp://127.0.0.1:7000");
  assert.equal(w.types().at(-1), "move_aborted");
});

test("the source lost after the target spoke as authority: the pre-connection carries on without SWITCH", () => {
  const w = attached();
  w.from(1, out(3n, 3));
  w.from(2, out(4n, 4, 2n));
  w.lose(1);
  assert.equal(w.conns.length, 2, "no resume: the pre-connection serves");
  assert.deepEqual(inputsOn(w.conn(2)), [3]);
  assert.equal(w.core.endpoint, "tcp://127.0.0.2:7100");
  assert.equal(w.types().at(-1), "switched");
});

test("after a TARGET_HINT a lost source is retried at the target at once; a withdrawn hint stops that", () => {
  const w = new World();
  w.welcome(1);
  w.from(1, { type: Type.TARGET_HINT, host: "127.0.0.2", port: 7100, webSocket: "" });
  w.lose(1);
  assert.equal(w.last().to, "tcp://127.0.0.1:7000", "home first");
  w.lose(2);
  assert.equal(w.last().to, "tcp://127.0.0.2:7100", "then the target, at once");
  const v = new World();
  v.welcome(1);
  v.from(1, { type: Type.TARGET_HINT, host: "127.0.0.2", port: 7100, webSocket: "" }, { type: Type.TARGET_HINT, host: "", port: 0, webSocket: "" });
  v.lose(1);
  for (let i = 0; i < 4; i++) {
    v.lose(v.last().id);
    v.advance(1000);
  }
  assert.ok(v.conns.every((c) => c.to === "tcp://127.0.0.1:7000"), "never the withdrawn target");
});

test("a full send buffer refuses with SendBufferFullError and queues nothing; acknowledgement frees it", () => {
  const w = new World("tcp://127.0.0.1:7000", 10);
  w.welcome(1);
  w.core.send(new Uint8Array(6), w.now);
  w.core.send(new Uint8Array(4), w.now);
  assert.throws(() => w.core.send(new Uint8Array(1), w.now), (e: unknown) => e instanceof SendBufferFullError
    && e.name === "SendBufferFull" && e.limitBytes === 10 && e.pendingBytes === 10
    && /sendBufferBytes/.test(e.message));
  assert.deepEqual(inputsOn(w.conn(1)), [1, 2]);
  assert.equal(w.core.pendingBytes, 10);
  w.from(1, { type: Type.ACK, ack: 1n });
  assert.equal(w.core.pendingBytes, 4);
  w.core.send(new Uint8Array(6), w.now);
  assert.deepEqual(inputsOn(w.conn(1)), [1, 2, 3], "numbering goes on without a gap");
});

test("gives up after the resume window and reports the session lost", () => {
  const w = new World("tcp://127.0.0.1:7000", 1 << 20, 5_000);
  w.welcome(1);
  w.lose(1);
  for (let i = 0; i < 100 && !w.core.closed; i++) {
    w.lose(w.last().id);
    w.advance(1000);
  }
  assert.ok(w.core.closed);
  assert.match(w.lostReason!, /could not resume within 5000 ms/);
  assert.equal(w.types().at(-1), "lost");
  assert.ok(w.now >= 5_000 && w.now <= 7_000, `gave up at ${w.now} ms`);
  assert.throws(() => w.core.send(bytes(1), w.now), /the session is closed/);
});

test("UNKNOWN_SESSION ends the session; SESSIONS_FULL is tried again", () => {
  const w = new World();
  w.core.connected(1, w.now);
  w.from(1, { type: Type.ERROR, code: ErrorCode.SESSIONS_FULL, message: "full" });
  w.advance(0);
  assert.ok(!w.core.closed);
  assert.equal(w.conns.length, 2);
  w.core.connected(2, w.now);
  w.from(2, { type: Type.ERROR, code: ErrorCode.UNKNOWN_SESSION, message: "who?" });
  assert.ok(w.core.closed);
  assert.equal(w.lostReason, "UNKNOWN_SESSION: who?");
});

test("close sends CLOSE and lets go of every connection", () => {
  const w = attached();
  w.core.close(w.now);
  assert.deepEqual(w.conn(1).sent.at(-1), { type: Type.CLOSE });
  assert.ok(w.conn(1).closed && w.conn(2).closed);
  assert.equal(w.types().at(-1), "closed");
  assert.equal(w.lostReason, null);
  assert.equal(w.core.nextDeadline(), Number.POSITIVE_INFINITY);
});

test("a retired source answers a late RESUME with MOVE and SWITCH: the session resumes at the target", () => {
  const w = new World();
  w.welcome(1);
  w.from(1, out(1n, 1));
  w.lose(1);
  w.core.connected(2, w.now);
  assert.equal((w.conn(2).sent[0] as { kind: HelloKind }).kind, HelloKind.RESUME);
  w.from(2, { type: Type.MOVE, handoffId: 8n, ticket: TICKET, host: "127.0.0.2", port: 7100, webSocket: "" },
    { type: Type.SWITCH, handoffId: 8n, lastOutputSeq: 1n });
  assert.equal(w.conns.length, 3, "no pre-connection from a connection that was never welcomed, only the resume");
  const resume = w.conn(3);
  assert.equal(resume.to, "tcp://127.0.0.2:7100");
  w.core.connected(3, w.now);
  assert.deepEqual(resume.sent[0], { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.RESUME, sessionId: 42n,
    token: SECRET, outputAck: 1n });
  w.from(3, { type: Type.WELCOME, version: VERSION, sessionId: 42n, secret: new Uint8Array(16), inputAck: 0n }, out(2n, 2));
  assert.deepEqual(w.delivered.map((d) => d[1]), [1, 2]);
  assert.deepEqual(w.types(), ["connected", "disconnected", "switched"]);
});
