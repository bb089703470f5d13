/**
 * The arena's input hash chain, bit for bit the same as baton-service's Hash64.mix and baton-arena's
 * ArenaProtocol.hashInput: a page and the game that agree on the chain agree on every input applied, in order.
 * 64-bit unsigned arithmetic is done with BigInt (the chain runs a few times a second, so its cost is nothing).
 */

const MASK = (1n << 64n) - 1n;
const K1 = 0x9e3779b97f4a7c15n;
const K2 = 0xc2b2ae3d27d4eb4fn;

function rotl(h: bigint, n: bigint): bigint {
  return ((h << n) | (h >> (64n - n))) & MASK;
}

function finish(h: bigint): bigint {
  h = ((h ^ (h >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  h = ((h ^ (h >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return h ^ (h >> 31n);
}

/** Hash64.mix: folds one more value (any 64-bit value, negative ones as Java's long) into a running hash. */
export function mix(h: bigint, value: bigint): bigint {
  const v = (BigInt.asUintN(64, value) * K1) & MASK;
  return finish((rotl(BigInt.asUintN(64, h) ^ v, 31n) * K2 + K1) & MASK);
}

/** ArenaProtocol.hashInput: one step of the chain over the inputs applied, starting from 0n. */
export function hashInput(hash: bigint, inputId: number, dx: number, dy: number): bigint {
  // Java computes (dx << 8) | (dy & 0xFF) as an int and widens it to a long with its sign: so does this.
  return mix(mix(hash, BigInt(inputId)), BigInt((dx << 8) | (dy & 0xff)));
}
