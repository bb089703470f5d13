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
/**
 * The update of the arena's rules 3 (its schema 3 release): UPDATE's fields, then u64 travelled before n. A
 * server sends one kind or the other by the rules it applies; a handoff to the newer release changes the kind
 * from the target's first tick.
 */
export const UPDATE_3 = 3;
/** Under rules 3 a move goes this many units per unit of dx and dy. */
export const STEP_3 = 2;
export const MOVE_LENGTH = 11;
export const VIEW_LENGTH = 3;
/** The most other players an update shows: the first ones in session-id order, the viewer left out. */
export const MAX_VIEW = 64;
export const UPDATE_HEADER = 39;
export const UPDATE_3_HEADER = 47;
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
  /** 3 for an UPDATE_3 (rules 3); absent for an UPDATE (rules 1 and 2). */
  rules?: 3;
  /** Under rules 3: the distance travelled, |dx| + |dy| of each move times STEP_3; absent otherwise. */
  travelled?: number;
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
 * u16 n, n x u64 inputId; for a player that asked for a view then u16 m, m x (u16 x, u16 y). An UPDATE_3 has
 * u64 travelled after players.
 *
 * @throws RangeError if the bytes are not exactly one well-formed update
 */
export function decodeUpdate(bytes: Uint8Array): Update {
  const rules3 = bytes.length > 0 && bytes[0] === UPDATE_3;
  const header = rules3 ? UPDATE_3_HEADER : UPDATE_HEADER;
  if (bytes.length < header || (bytes[0] !== UPDATE && !rules3)) {
    throw new RangeError(`not an update: ${bytes.length} bytes, type ${bytes.length > 0 ? bytes[0] : 'none'}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = v.getUint16(header - 2);
  const withIds = header + 8 * n;
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
    inputIds[i] = safe(v.getBigUint64(header + 8 * i), 'input id');
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
  if (rules3) {
    u.rules = 3;
    u.travelled = safe(v.getBigUint64(37), 'distance travelled');
  }
  return u;
}

/** Encodes an UPDATE (an UPDATE_3 when `rules` is 3) as the game does: for tests, which build the updates a page must judge. */
export function encodeUpdate(u: Update): Uint8Array {
  const header = u.rules === 3 ? UPDATE_3_HEADER : UPDATE_HEADER;
  const viewBytes = u.others ? 2 + 2 * u.others.length : 0;
  const out = new Uint8Array(header + 8 * u.inputIds.length + viewBytes);
  const v = new DataView(out.buffer);
  v.setUint8(0, u.rules === 3 ? UPDATE_3 : UPDATE);
  v.setBigUint64(1, BigInt(u.tick));
  v.setBigUint64(9, BigInt(u.inputsApplied));
  v.setBigUint64(17, u.inputHash);
  v.setInt32(25, u.x);
  v.setInt32(29, u.y);
  v.setUint32(33, u.players);
  if (u.rules === 3) {
    v.setBigUint64(37, BigInt(u.travelled ?? 0));
  }
  v.setUint16(header - 2, u.inputIds.length);
  u.inputIds.forEach((id, i) => v.setBigUint64(header + 8 * i, BigInt(id)));
  if (u.others) {
    const at = header + 8 * u.inputIds.length;
    v.setUint16(at, u.others.length / 2);
    u.others.forEach((c, i) => v.setUint16(at + 2 + 2 * i, c));
  }
  return out;
}
