// TimerTable on its own: the next deadline is the earliest armed one, and a poll fires the due ones in their
// declared order, each seeing what the ones before it changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NEVER, type Timer, TimerTable } from "../src/timers.js";

test("the next deadline is the earliest of the armed timers; an unarmed one's due is not even read", () => {
  let bArmed = true;
  const table = new TimerTable(
    { name: "a", armed: () => true, due: () => 300, fire: () => {} },
    { name: "b", armed: () => bArmed, due: () => 100, fire: () => {} },
    { name: "c", armed: () => false, due: () => { throw new Error("read while unarmed"); }, fire: () => {} });
  assert.equal(table.nextDeadline(), 100);
  bArmed = false;
  assert.equal(table.nextDeadline(), 300);
  assert.equal(new TimerTable().nextDeadline(), NEVER);
});

test("a poll fires every armed timer due by now, in order, each after what the earlier ones changed", () => {
  const fired: string[] = [];
  let connected = false;
  const timers: Timer[] = [
    // Like the core's retry before its liveness timers: the retry that connects does not make the
    // liveness timers below it see an old deadline.
    { name: "retry", armed: () => !connected, due: () => 10, fire: () => { fired.push("retry"); connected = true; } },
    { name: "dead", armed: () => connected, due: () => 1_500, fire: () => fired.push("dead") },
    { name: "ack", armed: () => true, due: () => 10, fire: (now) => fired.push(`ack@${now}`) },
    { name: "later", armed: () => true, due: () => 11, fire: () => fired.push("later") },
  ];
  const table = new TimerTable(...timers);
  table.poll(9);
  assert.deepEqual(fired, []);
  table.poll(10);
  assert.deepEqual(fired, ["retry", "ack@10"]);
  table.poll(1_500);
  assert.deepEqual(fired, ["retry", "ack@10", "dead", "ack@1500", "later"]);
});
