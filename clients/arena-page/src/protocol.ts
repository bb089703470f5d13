/**
 * The arena's messages (baton-arena's ArenaProtocol, whose javadoc draws the bytes): a page encodes MOVE
 * and decodes UPDATE exactly as the Java bots do. Integers are big-endian.
 */

/** The world is a torus of this many units on each side. */
export const WORLD_SIZE = 1024;
export const MOVE = 1;
/** The input that asks for the world view: u8 type = 2, u16 want (0 stops it). Not a move: never counted. */
export const VIEW = 2;
export const UPDATE = 1;
export const MOVE_LENGTH = 11;
export const VIEW_LENGTH = 3;
/** The most other players an update shows: the first ones in session-id order, the viewer left out. */
export const MAX_VIEW = 64;
export const UPDATE_HEADER = 39;
/** The most input ids one update lists (its u16 count); the rest follow in the next updates. */
export const MAX_IDS_PER_UPDATE = 0xffff;

/** A decoded UPDATE: this player's figures as the game applied them, once per tick. */
export interface Update {
  tick: number;
  inputsApplied: number;
  inputHash: bigint;
  x: number;
  y: number;
  players: number;
  inputIds: number[];
  /** The world view, x and y of each other player shown in turn; absent when this player did not ask. */
  others?: number[];
}

/** VIEW: asks that this player's updates also show up to `want` others (0..MAX_VIEW; 0 stops it). */
export function encodeView(want: number): Uint8Array {
  if (!Number.isInteger(want) || want < 0 || want > MAX_VIEW) {
    throw new RangeError(`a view shows 0..${MAX_VIEW} other players, asked for ${want}`);
  }
  const out = new Uint8Array(VIEW_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint8(0, VIEW);
  v.setUint16(1, want);
  return out;
}

/** MOVE: u8 type, u64 inputId, i8 dx, i8 dy. */
export function encodeMove(inputId: number, dx: number, dy: number): Uint8Array {
  if (!Number.isSafeInteger(inputId) || inputId < 1) {
    throw new RangeError(`input id must be a positive safe integer, was ${inputId}`);
  }
  if (dx !== (dx << 24) >> 24 || dy !== (dy << 24) >> 24) {
    throw new RangeError(`dx and dy must fit a signed byte, were ${dx}, ${dy}`);
  }
  const out = new Uint8Array(MOVE_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint8(0, MOVE);
  v.setBigUint64(1, BigInt(inputId));
  v.setInt8(9, dx);
  v.setInt8(10, dy);
  return out;
}

function safe(n: bigint, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${n} is beyond what a page counts exactly`);
  }
  return Number(n);
}

/**
 * Decodes an UPDATE: u8 type, u64 tick, u64 inputsApplied, u64 inputHash, i32 x, i32 y, u32 players,
 * u16 n, n x u64 inputId; for a player that asked for a view then u16 m, m x (u16 x, u16 y).
 *
 * @throws RangeError if the bytes are not exactly one well-formed update
 */
export function decodeUpdate(bytes: Uint8Array): Update {
  if (bytes.length < UPDATE_HEADER || bytes[0] !== UPDATE) {
    throw new RangeError(`not an update: ${bytes.length} bytes, type ${bytes.length > 0 ? bytes[0] : 'none'}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = v.getUint16(37);
  const withIds = UPDATE_HEADER + 8 * n;
  if (bytes.length < withIds) {
    throw new RangeError(`update announces ${n} ids but is ${bytes.length} bytes`);
  }
  let others: number[] | undefined;
  if (bytes.length > withIds) {
    const m = bytes.length >= withIds + 2 ? v.getUint16(withIds) : -1;
    if (bytes.length !== withIds + 2 + 4 * m) {
      throw new RangeError(`update announces ${n} ids and a view of ${m} players but is ${bytes.length} bytes`);
    }
    others = new Array(2 * m);
    for (let i = 0; i < 2 * m; i++) {
      others[i] = v.getUint16(withIds + 2 + 2 * i);
    }
  }
  const inputIds: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    inputIds[i] = safe(v.getBigUint64(UPDATE_HEADER + 8 * i), 'input id');
  }
  const u: Update = {
    tick: safe(v.getBigUint64(1), 'tick'),
    inputsApplied: safe(v.getBigUint64(9), 'inputs applied'),
    inputHash: v.getBigUint64(17),
    x: v.getInt32(25),
    y: v.getInt32(29),
    players: v.getUint32(33),
    inputIds,
  };
  if (others) {
    u.others = others;
  }
  return u;
}

/** Encodes an UPDATE as the game does: for tests, which build the updates a page must judge. */
export function encodeUpdate(u: Update): Uint8Array {
  const viewBytes = u.others ? 2 + 2 * u.others.length : 0;
  const out = new Uint8Array(UPDATE_HEADER + 8 * u.inputIds.length + viewBytes);
  const v = new DataView(out.buffer);
  v.setUint8(0, UPDATE);
  v.setBigUint64(1, BigInt(u.tick));
  v.setBigUint64(9, BigInt(u.inputsApplied));
  v.setBigUint64(17, u.inputHash);
  v.setInt32(25, u.x);
  v.setInt32(29, u.y);
  v.setUint32(33, u.players);
  v.setUint16(37, u.inputIds.length);
  u.inputIds.forEach((id, i) => v.setBigUint64(UPDATE_HEADER + 8 * i, BigInt(id)));
  if (u.others) {
    const at = UPDATE_HEADER + 8 * u.inputIds.length;
    v.setUint16(at, u.others.length / 2);
    u.others.forEach((c, i) => v.setUint16(at + 2 + 2 * i, c));
  }
  return out;
}
