/**
 * Time in the core, which never reads a clock: the timing knobs every room reads (the links' ping and
 * silence, the ack delay, the reconnect's backoff and resume window), and the core's timers, each declared
 * once (a port of baton-core's Timer and TimerTable): when it is armed, when it is due, what fires it. The
 * next deadline and the poll both come from the same declarations, so no timer's condition is written twice
 * and the poll order is written once. Times are milliseconds from any origin; the driver passes them in.
 */

/** Timing knobs, in milliseconds: the Java SDK's `ClientCore.Timing.defaults` (docs/protocol.md "Liveness"). */
export interface Timing {
  resumeWindow: number;
  heartbeat: number;
  deadAfter: number;
  ackDelay: number;
  maxBackoff: number;
}

export function defaultTiming(resumeWindow = 30_000): Timing {
  return { resumeWindow, heartbeat: 400, deadAfter: 1_500, ackDelay: 150, maxBackoff: 1_000 };
}

/** A deadline that never comes: a timer that is not armed. */
export const NEVER = Number.POSITIVE_INFINITY;

/** One named timer; `due` is read only while `armed` holds. */
export interface Timer {
  readonly name: string;
  armed(): boolean;
  due(): number;
  fire(now: number): void;
}

/** Timers in the one order a poll fires them; each sees what the ones before it changed. */
export class TimerTable {
  private readonly inPollOrder: readonly Timer[];

  constructor(...inPollOrder: Timer[]) {
    this.inPollOrder = inPollOrder;
  }

  /** When the driver must poll next: the earliest deadline of an armed timer (NEVER: none is armed). */
  nextDeadline(): number {
    let d = NEVER;
    for (const t of this.inPollOrder) {
      if (t.armed()) {
        d = Math.min(d, t.due());
      }
    }
    return d;
  }

  /** Fires, in order, every timer armed and due at `now`. */
  poll(now: number): void {
    for (const t of this.inPollOrder) {
      if (t.armed() && t.due() <= now) {
        t.fire(now);
      }
    }
  }
}
