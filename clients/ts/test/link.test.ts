// Link on its own (one connection's liveness deadlines), and the version rule every HELLO and WELCOME
// follows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HelloKind, Type, VERSION } from "../src/codec.js";
import { parseEndpoint } from "../src/endpoint.js";
import { hello, Link, welcomeRefusal } from "../src/link.js";
import { defaultTiming, NEVER } from "../src/timers.js";
import { Recorder } from "./recorder.js";

const HOME = parseEndpoint("tcp://127.0.0.1:7000");

test("a link is dead deadAfter after it was opened, after its HELLO, and after the last word heard", () => {
  const r = new Recorder();
  const l = Link.open(r, HOME, defaultTiming(), 1_000);
  assert.deepEqual(r.opened, ["tcp://127.0.0.1:7000"]);
  assert.equal(l.conn, 1);
  assert.equal(l.deadAt(), 2_500, "one that never opens dies like one that falls silent");
  l.helloSent(2_000);
  assert.equal(l.state, "hello_sent");
  assert.equal(l.deadAt(), 3_500);
  l.heard(3_000);
  assert.equal(l.deadAt(), 4_500);
});

test("only a welcomed link is pinged: a heartbeat after the later of the last ping and the last word", () => {
  const r = new Recorder();
  const l = Link.open(r, HOME, defaultTiming(), 0);
  l.helloSent(0);
  assert.equal(l.pingAt(), NEVER, "before the welcome the HELLO is what the server waits for");
  l.welcomed();
  assert.ok(l.ready);
  assert.equal(l.pingAt(), 400);
  l.heard(300);
  assert.equal(l.pingAt(), 700);
  l.ping(r, 700.9);
  assert.deepEqual(r.on(1), [{ type: Type.PING, value: 700n }], "the time in whole milliseconds");
  assert.equal(l.pingAt(), 1_100.9);
  l.ping(r, -5);
  assert.deepEqual(r.on(1).at(-1), { type: Type.PING, value: 0n }, "never negative, whatever the clock's origin");
});

test("a report concerns a link only if it names that link's connection", () => {
  const l = new Link(7, HOME, defaultTiming(), 0);
  assert.ok(Link.carries(l, 7));
  assert.ok(!Link.carries(l, 8));
  assert.ok(!Link.carries(null, 7));
});

test("every HELLO offers exactly the version this SDK speaks; a refusal names both versions, the server and the fix", () => {
  const token = new Uint8Array(16).fill(3);
  assert.deepEqual(hello(HelloKind.ATTACH, 42n, token, 9n), { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION,
    kind: HelloKind.ATTACH, sessionId: 42n, token, outputAck: 9n });
  const why = welcomeRefusal(7, "tcp://127.0.0.2:7100");
  assert.match(why, /server at tcp:\/\/127\.0\.0\.2:7100 answered in client-link version 7/);
  assert.match(why, new RegExp(`it speaks ${VERSION}\\.\\.${VERSION}`));
  assert.match(why, /run a Baton server that chooses within the client's range$/);
});
