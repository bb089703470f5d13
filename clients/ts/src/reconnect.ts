/**
 * After a lost connection (baton-core's Reconnect): when to try next (at once, then backing off), whose turn
 * it is (home, or a handoff's target), and when the resume window is spent and the session is given up.
 */

import { NEVER, type Timing } from "./timers.js";

/** Reconnect attempt n waits this times 2^n after the immediate ones, up to maxBackoff. */
const BACKOFF_UNIT = 25;
/** 2^n stops growing here, long after maxBackoff capped it, so that the number never overflows. */
const MAX_DOUBLINGS = 10;

/** When to try next after a loss (at once, then backing off), whose turn it is, and when to give up. */
export class Reconnect {
  private attempt = 0;
  private lostSince: number | null = null;
  /** When the next attempt is due (NEVER: none is scheduled). */
  retryAt = NEVER;

  constructor(private readonly timing: Timing) {}

  /** Whether this loss begins a disconnection (the first since a welcome). */
  lost(now: number): boolean {
    if (this.lostSince !== null) {
      return false;
    }
    this.lostSince = now;
    return true;
  }

  windowExpired(now: number): boolean { return now - (this.lostSince ?? now) > this.timing.resumeWindow; }

  /** At once; at once at the target too when one is known (the source may just have died); then doubling. */
  schedule(now: number, targetKnown: boolean): void {
    const backoff = this.attempt === 0 || (this.attempt === 1 && targetKnown) ? 0
      : Math.min(this.timing.maxBackoff, BACKOFF_UNIT * 2 ** Math.min(this.attempt, MAX_DOUBLINGS));
    this.retryAt = now + backoff;
    this.attempt++;
  }

  /** The scheduled attempt is being made: whether it is the target's turn (home's is the first). */
  retrying(): boolean {
    this.retryAt = NEVER;
    return this.attempt % 2 === 0;
  }

  /** A connection was welcomed: the next loss starts over, at once and with a fresh window. */
  welcomed(): void {
    this.attempt = 0;
    this.lostSince = null;
    this.retryAt = NEVER;
  }

  givingUp(reason: string): string { return `could not resume within ${this.timing.resumeWindow} ms: ${reason}`; }
}
