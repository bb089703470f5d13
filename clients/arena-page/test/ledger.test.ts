// The arena verification in TypeScript, on constructed updates: a clean run passes, and a lost, a doubled and
// a reordered update are each caught, as the Java BotLedger catches them. Hash vectors come from the Java code
// (ArenaProtocol.hashInput, printed by a throwaway program over baton-arena's classes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashInput, mix } from '../src/hash64.js';
import { Ledger, percentile, problems } from '../src/ledger.js';
import { decodeUpdate, encodeMove, encodeUpdate, encodeView, MAX_VIEW, Update } from '../src/protocol.js';
import { report, PageState } from '../src/report.js';

/** The game's side for one player, as baton-arena's Player: applies moves, and each tick reports them. */
class FakeGame {
  applied = 0;
  hash = 0n;
  pending: number[] = [];
  apply(id: number, dx: number, dy: number): void {
    this.applied++;
    this.hash = hashInput(this.hash, id, dx, dy);
    this.pending.push(id);
  }
  update(tick: number): Update {
    const u = { tick, inputsApplied: this.applied, inputHash: this.hash, x: 5, y: 6, players: 3, inputIds: this.pending };
    this.pending = [];
    return decodeUpdate(encodeUpdate(u)); // through the bytes, as a page gets it
  }
}

/** Sends `n` moves through a ledger into a game, one tick after each, and returns the updates in order. */
function play(ledger: Ledger, game: FakeGame, n: number, firstTick = 100): Update[] {
  const updates: Update[] = [];
  for (let i = 0; i < n; i++) {
    const dx = (i % 9) - 4;
    const dy = 4 - (i % 9);
    const id = ledger.recordSend(dx, dy);
    game.apply(id, dx, dy);
    updates.push(game.update(firstTick + i));
  }
  return updates;
}

test('the input hash chain is bit for bit the Java one', () => {
  const java: Array<[number, number, number, string]> = [
    [1, 1, -4, '11209343556610804820'],
    [2, -4, 4, '15423070087623010934'],
    [3, 0, 0, '2975727131669505453'],
    [4, 3, -1, '3325011093604751358'],
    [5, -1, -1, '15250540149208285463'],
    [6, 4, 2, '2859195598767940900'],
  ];
  let h = 0n;
  for (const [id, dx, dy, want] of java) {
    h = hashInput(h, id, dx, dy);
    assert.equal(h.toString(), want, `after input ${id}`);
  }
  assert.equal(mix(0n, 0n).toString(), '16294208416658607535');
  assert.equal(mix(-1n, 123456789n).toString(), '10481957152838435815');
});

test('a move encodes as ArenaProtocol.move does, and bad moves are refused', () => {
  assert.equal(Buffer.from(encodeMove(258, -3, 4)).toString('hex'), '010000000000000102fd04');
  assert.throws(() => encodeMove(1, 128, 0), RangeError);
  assert.throws(() => encodeMove(0, 1, 0), RangeError);
});

test('an update round-trips, and a truncated or mislabelled one is refused', () => {
  const u: Update = { tick: 7, inputsApplied: 2, inputHash: 0xfedcba9876543210n, x: -1, y: 1023, players: 4, inputIds: [1, 2] };
  const bytes = encodeUpdate(u);
  assert.equal(bytes.length, 39 + 16);
  assert.deepEqual(decodeUpdate(bytes), u);
  assert.throws(() => decodeUpdate(bytes.subarray(0, bytes.length - 1)), /announces 2 ids/);
  const wrongType = bytes.slice();
  wrongType[0] = 2;
  assert.throws(() => decodeUpdate(wrongType), /not an update/);
});

// The same bytes baton-arena's ArenaProtocolTest checks its encoder against.
const VIEW_UPDATE_HEX = '01' + '0000000000000007' + '0'.repeat(32) + '00000001' + '00000002' + '00000002' + '0000'
  + '0001' + '0005' + '03ff';

test('a VIEW and an update with a world view are the bytes the Java game reads and writes', () => {
  assert.equal(Buffer.from(encodeView(64)).toString('hex'), '020040');
  assert.throws(() => encodeView(MAX_VIEW + 1), /0\.\.64 other players, asked for 65/);
  const bytes = Uint8Array.from(Buffer.from(VIEW_UPDATE_HEX, 'hex'));
  const u = decodeUpdate(bytes);
  assert.deepEqual(u.others, [5, 1023]);
  assert.deepEqual(u.inputIds, []);
  assert.equal(Buffer.from(encodeUpdate(u)).toString('hex'), VIEW_UPDATE_HEX);
  assert.throws(() => decodeUpdate(bytes.subarray(0, bytes.length - 1)), /a view of 1 players but is 44 bytes/);
  assert.throws(() => decodeUpdate(bytes.subarray(0, 40)), /a view of -1 players but is 40 bytes/);
  assert.equal(decodeUpdate(bytes.subarray(0, 39)).others, undefined);
});

// The same bytes baton-arena's ArenaProtocolTest checks its UPDATE_3 encoder against.
const UPDATE_3_HEX = '03' + '0000000000000007' + '0000000000000001' + '0'.repeat(16) + '00000001' + '00000002'
  + '00000002' + '000000000000000c' + '0001' + '0000000000000009';

test('an UPDATE_3 (rules 3) carries the distance travelled and round-trips, view and all', () => {
  const bytes = Uint8Array.from(Buffer.from(UPDATE_3_HEX, 'hex'));
  const u = decodeUpdate(bytes);
  assert.equal(u.rules, 3);
  assert.equal(u.travelled, 12);
  assert.deepEqual(u.inputIds, [9]);
  assert.equal(u.x, 1);
  assert.equal(u.players, 2);
  assert.equal(Buffer.from(encodeUpdate(u)).toString('hex'), UPDATE_3_HEX);
  const viewed: Update = { ...u, others: [5, 1023] };
  assert.deepEqual(decodeUpdate(encodeUpdate(viewed)), viewed);
  assert.throws(() => decodeUpdate(bytes.subarray(0, bytes.length - 1)), /announces 1 ids/);
  assert.throws(() => decodeUpdate(bytes.subarray(0, 46)), /not an update/);
  // An UPDATE says nothing of rules: the page reads it exactly as before.
  assert.equal(decodeUpdate(encodeUpdate({ ...u, rules: undefined, travelled: undefined })).rules, undefined);
});

test('a clean run: every input applied once and in order, every tick seen once, count and hash agree', () => {
  const ledger = new Ledger();
  const updates = play(ledger, new FakeGame(), 20);
  updates.forEach((u, i) => ledger.onUpdate(i * 33, u));
  const v = ledger.verdict();
  assert.deepEqual(problems(v), []);
  assert.equal(v.sent, 20);
  assert.equal(ledger.appliedCount(), 20);
  assert.equal(ledger.ticksSeen(), 20);
  assert.ok(ledger.settled());
});

test('a lost update is caught: its tick missed and its inputs never listed', () => {
  const ledger = new Ledger();
  const updates = play(ledger, new FakeGame(), 10);
  updates.filter((_, i) => i !== 4).forEach((u, i) => ledger.onUpdate(i * 33, u));
  const v = ledger.verdict();
  assert.equal(v.outputsLost, 1);
  assert.equal(v.inputsLost, 1);
  assert.equal(v.inconsistentUpdates, 0, 'as BotLedger: the count is checked between consecutive ticks only');
  assert.ok(problems(v).includes('1 outputs lost'));
});

test('a doubled update is caught: its tick and its inputs counted twice', () => {
  const ledger = new Ledger();
  const updates = play(ledger, new FakeGame(), 10);
  const doubled = [...updates.slice(0, 5), updates[4], ...updates.slice(5)];
  doubled.forEach((u, i) => ledger.onUpdate(i * 33, u));
  const v = ledger.verdict();
  assert.equal(v.outputsDuplicated, 1);
  assert.equal(v.inputsDuplicated, 1);
  assert.equal(v.inputsLost, 0);
  assert.ok(problems(v).includes('1 outputs duplicated'));
});

test('a reordered update is caught: a tick and an input id after a later one', () => {
  const ledger = new Ledger();
  const updates = play(ledger, new FakeGame(), 10);
  const swapped = [...updates];
  [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
  swapped.forEach((u, i) => ledger.onUpdate(i * 33, u));
  const v = ledger.verdict();
  assert.equal(v.outOfOrder, 2, 'tick 103 after 104, and input 4 after 5');
  assert.equal(v.outputsLost, 0);
  assert.equal(v.inputsLost, 0);
});

test('a game that applied something else is caught by the hash, one that applied too little by the count', () => {
  const ledger = new Ledger();
  const game = new FakeGame();
  play(ledger, game, 3).forEach((u, i) => ledger.onUpdate(i * 33, u));
  const id = ledger.recordSend(1, 1);
  game.apply(id, 1, -1); // the server applied another move under this id
  ledger.onUpdate(200, game.update(103));
  assert.ok(problems(ledger.verdict()).includes('input hash differs'));

  const short = new Ledger();
  const g2 = new FakeGame();
  play(short, g2, 3).forEach((u, i) => short.onUpdate(i * 33, u));
  short.recordSend(2, 2); // sent, never applied
  short.onUpdate(200, g2.update(103));
  assert.equal(short.verdict().inputsLost, 1);
  assert.ok(!short.settled());
  assert.ok(problems(short.verdict()).includes('applied count differs from 4 sent'));
});

test('an input the client refused is retracted and not expected', () => {
  const ledger = new Ledger();
  const game = new FakeGame();
  play(ledger, game, 2).forEach((u, i) => ledger.onUpdate(i * 33, u));
  ledger.retractSend(ledger.recordSend(3, 3));
  ledger.onUpdate(100, game.update(102));
  assert.deepEqual(problems(ledger.verdict()), []);
  assert.throws(() => ledger.retractSend(1), /only retract the last/);
});

test('stalls: the largest gap overlapping a window beyond one tick, as BotLedger measures them', () => {
  const ledger = new Ledger();
  const game = new FakeGame();
  const times = [0, 33, 66, 99, 132, 500, 533, 566];
  play(ledger, game, times.length).forEach((u, i) => ledger.onUpdate(times[i], u));
  assert.equal(ledger.stallMs(0, 600, 33), 368 - 33);
  assert.equal(ledger.stallMs(510, 600, 33), 0, 'the 368 ms gap ended before the window');
  assert.equal(ledger.stallMs(200, 300, 33), 368 - 33, 'a gap over the whole window counts');
  assert.equal(ledger.stallMsEndingBy(0, 300, 33), 0, 'it had not ended by 300');
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  assert.equal(percentile([5, 1, 3, 2, 4], 99), 5);
  assert.equal(percentile([], 99), 0);
});

test('the report: contract 7 fields, the stall after the mark and the baseline before it', () => {
  const ledger = new Ledger();
  const game = new FakeGame();
  const times = [0, 33, 66, 99, 132, 165, 198, 231, 450, 483];
  play(ledger, game, times.length).forEach((u, i) => ledger.onUpdate(times[i], u));
  const state: PageState = { session: '42', endpoint: 'ws://127.0.0.1:1/baton', handoffsSeen: 1, resumes: 0,
    errors: [], marks: { handoff: 240 }, tickPeriodMs: 33, sending: false };
  const r = report(ledger, state, 490);
  for (const k of ['session', 'endpoint', 'inputs_sent', 'inputs_acked', 'inputs_lost', 'inputs_duplicated',
    'out_of_order', 'ticks_seen', 'ticks_duplicated', 'ticks_missed', 'stall_ms', 'baseline_stall_ms',
    'handoffs_seen', 'errors']) {
    assert.ok(k in r, `report has ${k}`);
  }
  assert.equal(r.inputs_sent, 10);
  assert.equal(r.inputs_acked, 10);
  assert.equal(r.ticks_seen, 10);
  assert.deepEqual(r.stall_ms, { p50: 0, p99: 186, max: 186 });
  assert.deepEqual(r.baseline_stall_ms, { p50: 0, p99: 0, max: 0 });
  assert.equal(r.verified, true);
  assert.equal(report(ledger, { ...state, sending: true }, 490).verified, false, 'not final while sending');
});
