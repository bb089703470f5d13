// Reconnect on its own: the backoff after a loss, whose turn each attempt is, the resume window, and that a
// welcome starts all of it over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Reconnect } from "../src/reconnect.js";
import { defaultTiming, NEVER } from "../src/timers.js";

/** The waits before attempts 1..n of one disconnection that began at `t0`, and whether each was the target's turn. */
function attempts(r: Reconnect, n: number, targetKnown: boolean, t0 = 0): { wait: number; target: boolean }[] {
  const seen = [];
  let now = t0;
  for (let i = 0; i < n; i++) {
    r.schedule(now, targetKnown);
    const wait = r.retryAt - now;
    now = r.retryAt;
    seen.push({ wait, target: r.retrying() });
  }
  return seen;
}

test("without a target: at once, then 50, 100, 200, 400, 800 ms, then every maxBackoff, always home", () => {
  const seen = attempts(new Reconnect(defaultTiming()), 9, false);
  assert.deepEqual(seen.map((a) => a.wait), [0, 50, 100, 200, 400, 800, 1000, 1000, 1000]);
  assert.deepEqual(seen.map((a) => a.target), [false, true, false, true, false, true, false, true, false],
    "the turns alternate; the core goes home when there is no target to take its turn");
});

test("with a target known: home at once, the target at once too, then the same doubling", () => {
  const seen = attempts(new Reconnect(defaultTiming()), 5, true);
  assert.deepEqual(seen.map((a) => a.wait), [0, 0, 100, 200, 400]);
  assert.deepEqual(seen.map((a) => a.target), [false, true, false, true, false]);
});

test("the doubling stops at 2^10 (25.6 s) under a larger maxBackoff, however long the attempts go on", () => {
  const r = new Reconnect({ ...defaultTiming(), maxBackoff: 1e12 });
  const seen = attempts(r, 60, false);
  assert.equal(Math.max(...seen.map((a) => a.wait)), 25 * 2 ** 10, "2^n stops doubling at n = 10");
  assert.equal(seen.at(-1)!.wait, 25 * 2 ** 10);
  assert.equal(r.retryAt, NEVER, "retrying() disarmed the scheduled attempt");
});

test("only the first loss since a welcome begins a disconnection; the window counts from it, exclusive", () => {
  const r = new Reconnect(defaultTiming(1_000));
  assert.equal(r.windowExpired(5_000), false, "no loss: no window running");
  assert.equal(r.lost(100), true);
  assert.equal(r.lost(600), false, "a second loss in the same disconnection");
  assert.equal(r.windowExpired(1_100), false, "exactly the window: still inside");
  assert.equal(r.windowExpired(1_101), true);
  assert.match(r.givingUp("connect ECONNREFUSED"), /^could not resume within 1000 ms: connect ECONNREFUSED$/);
});

test("a welcome starts over: the next loss is a new disconnection, tried at once with a fresh window", () => {
  const r = new Reconnect(defaultTiming(1_000));
  r.lost(0);
  attempts(r, 4, false);
  r.welcomed();
  assert.equal(r.retryAt, NEVER);
  assert.equal(r.lost(5_000), true);
  assert.equal(r.windowExpired(5_900), false);
  assert.deepEqual(attempts(r, 2, false, 5_000).map((a) => a.wait), [0, 50]);
});
