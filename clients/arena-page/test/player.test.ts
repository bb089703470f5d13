// The page's session logic without a browser: a fake SDK session that plays the game's part (each move it is
// given is applied and reported in the next tick's update), refuses a send as a full buffer, or fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashInput } from '../src/hash64.js';
import { Player, Session } from '../src/player.js';
import { encodeUpdate, MAX_VIEW, VIEW } from '../src/protocol.js';

class BufferFull extends Error {}

/** A session whose server applies every move it is sent; `tick()` delivers the next update to the player. */
class FakeSession implements Session {
  endpoint = 'ws://127.0.0.1:1/baton';
  sessionId = 77n;
  refuse: 'none' | 'full' | 'closed' = 'none';
  private applied = 0;
  private hash = 0n;
  private pending: number[] = [];
  private tickNo = 500;
  private index = 0;
  /** The VIEW's want, as the game keeps it; -1 until one arrives. */
  view = -1;
  /** The other players the game has, x and y in turn; a view shows the first `view` of them. */
  world = [10, 20, 30, 40, 1000, 3];
  constructor(private readonly player: () => Player) {}
  send(payload: Uint8Array): void {
    if (this.refuse === 'full') throw new BufferFull('send buffer full');
    if (this.refuse === 'closed') throw new Error('the session is closed');
    const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    if (payload[0] === VIEW) {
      this.view = v.getUint16(1);
      return;
    }
    const id = Number(v.getBigUint64(1));
    this.applied++;
    this.hash = hashInput(this.hash, id, v.getInt8(9), v.getInt8(10));
    this.pending.push(id);
  }
  tick(nowMs: number, skipIndex = false): void {
    const u = { tick: this.tickNo++, inputsApplied: this.applied, inputHash: this.hash, x: 1, y: 2, players: 1,
      inputIds: this.pending, others: this.view > 0 ? this.world.slice(0, 2 * this.view) : undefined };
    this.pending = [];
    this.index += skipIndex ? 2 : 1;
    this.player().onMessage(encodeUpdate(u), this.index, nowMs);
  }
}

function setUp(): [Player, FakeSession] {
  const player = new Player(30, (e) => e instanceof BufferFull);
  const session = new FakeSession(() => player);
  player.attach(session);
  return [player, session];
}

test('a clean run through a handoff is verified once sending stops and the game has applied everything', () => {
  const [player, session] = setUp();
  for (let i = 0; i < 30; i++) {
    player.send((i % 9) - 4, 1);
    session.tick(i * 33);
    if (i === 15) {
      player.mark('handoff', i * 33);
      player.onLifecycle({ type: 'switched', endpoint: 'ws://127.0.0.1:2/baton', detail: '' });
    }
  }
  player.stop();
  session.tick(30 * 33);
  const r = player.report(31 * 33);
  assert.equal(r.verified, true, JSON.stringify(r));
  assert.equal(r.session, '77');
  assert.equal(r.endpoint, 'ws://127.0.0.1:2/baton');
  assert.equal(r.handoffs_seen, 1);
  assert.equal(r.inputs_sent, 30);
  assert.equal(r.inputs_acked, 30);
  assert.equal(r.ticks_seen, 31);
  assert.equal(player.latest?.x, 1);
});

test('a move refused for a full send buffer is skipped, not counted and not expected', () => {
  const [player, session] = setUp();
  player.send(1, 1);
  session.refuse = 'full';
  player.send(2, 2);
  session.refuse = 'none';
  player.send(3, 3);
  player.stop();
  session.tick(0);
  const r = player.report(10);
  assert.equal(r.inputs_sent, 2);
  assert.equal(r.verified, true, JSON.stringify(r));
});

test('a send that fails otherwise stops sending and is reported; so is a lost session', () => {
  const [player, session] = setUp();
  player.send(1, 1);
  session.refuse = 'closed';
  player.send(2, 2);
  assert.equal(player.state.sending, false);
  session.refuse = 'none';
  player.send(3, 3); // stopped: nothing goes out
  session.tick(0);
  const r = player.report(10);
  assert.equal(r.inputs_sent, 1);
  assert.deepEqual(r.errors, ['send failed: Error: the session is closed']);
  assert.equal(r.verified, false);
  player.onLifecycle({ type: 'lost', endpoint: session.endpoint, detail: 'not resumed within 30000 ms' });
  assert.ok((player.report(20).errors as string[]).includes('session lost: not resumed within 30000 ms'));
});

test('an output index the SDK skipped is an error, an output that is not an update a malformed one', () => {
  const [player, session] = setUp();
  session.tick(0);
  session.tick(33, true);
  assert.deepEqual(player.state.errors, ['the SDK delivered output 3 after 1']);
  player.onMessage(new Uint8Array([9, 9]), 4, 66);
  assert.equal(player.report(70).malformed_updates, 1);
});

test('the page asks to see the others once, draws what the updates show, and verifies exactly as before', () => {
  const [player, session] = setUp();
  assert.equal(session.view, MAX_VIEW);
  assert.equal(player.viewError, null);
  for (let i = 0; i < 5; i++) {
    player.send(1, -1);
    session.tick(i * 33);
  }
  assert.deepEqual(player.latest?.others, [10, 20, 30, 40, 1000, 3]);
  player.stop();
  session.tick(5 * 33);
  const r = player.report(6 * 33);
  assert.equal(r.verified, true, JSON.stringify(r));
  assert.equal(r.inputs_sent, 5);
});

test('a VIEW the SDK refuses costs only the drawing of the others', () => {
  const player = new Player(30, (e) => e instanceof BufferFull);
  const session = new FakeSession(() => player);
  session.refuse = 'full';
  player.attach(session);
  assert.match(player.viewError ?? '', /asking to see the other players failed: .*send buffer full/);
  session.refuse = 'none';
  player.send(2, 2);
  session.tick(0);
  assert.equal(player.latest?.others, undefined);
  player.stop();
  session.tick(33);
  assert.equal(player.report(66).verified, true);
});
