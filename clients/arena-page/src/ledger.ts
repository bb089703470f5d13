/**
 * What one page sent and what the game said about it, and the checks between the two: baton-arena's
 * BotLedger in TypeScript, check for check, so a browser client is judged exactly as a Java bot is. No I/O
 * and no clock of its own (receipt times are passed in, in milliseconds), so every check is testable alone.
 *
 * A send is recorded before it goes out: an update can then never name an id the ledger does not know yet.
 */
import { hashInput } from './hash64.js';
import { MAX_IDS_PER_UPDATE, Update } from './protocol.js';

/** Ticks further than this past the first one seen mean a corrupt update, not a long run (as BotLedger). */
const MAX_TICK_SPAN = 2 ** 28;

/** One page's figures, as BotLedger.Verdict names them. */
export interface Verdict {
  sent: number;
  updates: number;
  /** inputs sent whose id no update ever listed as applied (in flight ones too, until they are) */
  inputsLost: number;
  inputsDuplicated: number;
  /** ticks between the first and the newest received that never arrived */
  outputsLost: number;
  outputsDuplicated: number;
  /** ticks and input ids that arrived after a later one */
  outOfOrder: number;
  unexpectedInputs: number;
  /** updates whose applied count went back, or grew by other than the ids listed */
  inconsistentUpdates: number;
  malformedUpdates: number;
  /** the game's newest count of applied inputs equals the number sent */
  countMatches: boolean;
  /** the game's newest input hash equals this page's own */
  hashMatches: boolean;
}

export class Ledger {
  private sent = 0;
  private sentHash = 0n;
  private hashBeforeLast = 0n;

  private updates = 0;
  private firstTick = 0;
  private maxTick = 0;
  private readonly ticks = new Set<number>();
  private distinctTicks = 0;
  private outputsDuplicated = 0;
  private outOfOrder = 0;

  private readonly applied = new Set<number>();
  private maxAppliedId = 0;
  private inputsDuplicated = 0;
  private unexpectedInputs = 0;

  private reportedApplied = 0;
  private reportedHash = 0n;
  private lastUpdateFull = false;
  private inconsistentUpdates = 0;
  private malformedUpdates = 0;

  /** Receipt times of every update (well-formed or not), in ms, in the order received. */
  private readonly receipts: number[] = [];

  /** Records the next input (id 1, 2, 3...) before it is sent and returns its id. */
  recordSend(dx: number, dy: number): number {
    this.hashBeforeLast = this.sentHash;
    this.sent++;
    this.sentHash = hashInput(this.sentHash, this.sent, dx, dy);
    return this.sent;
  }

  /** Takes back the input just recorded: the client refused it (send buffer full), so no update can report it. */
  retractSend(id: number): void {
    if (id !== this.sent) {
      throw new Error(`can only retract the last input, ${this.sent}, not ${id}`);
    }
    this.sent--;
    this.sentHash = this.hashBeforeLast;
  }

  /** Checks one update, received at {@code nowMs}. */
  onUpdate(nowMs: number, u: Update): void {
    this.receipts.push(nowMs);
    if (this.updates++ === 0) {
      // As if an update for the tick before, with nothing applied, had been seen.
      this.firstTick = u.tick;
      this.maxTick = u.tick - 1;
    }
    const rel = u.tick - this.firstTick;
    if (rel >= MAX_TICK_SPAN) {
      this.malformedUpdates++;
      return;
    }
    if (rel < 0) {
      this.outOfOrder++;
    } else if (this.ticks.has(rel)) {
      this.outputsDuplicated++;
    } else {
      this.ticks.add(rel);
      this.distinctTicks++;
      if (u.tick < this.maxTick) {
        this.outOfOrder++;
      }
    }
    if (u.tick > this.maxTick) {
      this.checkFigures(u);
    }
    for (const id of u.inputIds) {
      this.checkApplied(id);
    }
  }

  /** An output that is not an update at all. */
  onMalformedUpdate(nowMs: number): void {
    this.receipts.push(nowMs);
    this.malformedUpdates++;
  }

  /** The game's count may only grow, and between consecutive ticks by exactly the ids listed. */
  private checkFigures(u: Update): void {
    const full = u.inputIds.length === MAX_IDS_PER_UPDATE;
    const delta = u.inputsApplied - this.reportedApplied;
    if (delta < 0) {
      this.inconsistentUpdates++;
    } else if (u.tick === this.maxTick + 1 && !this.lastUpdateFull
        && (full ? delta < u.inputIds.length : delta !== u.inputIds.length)) {
      this.inconsistentUpdates++;
    }
    this.maxTick = u.tick;
    this.reportedApplied = u.inputsApplied;
    this.reportedHash = u.inputHash;
    this.lastUpdateFull = full;
  }

  private checkApplied(id: number): void {
    if (id < 1 || id > this.sent) {
      this.unexpectedInputs++;
      return;
    }
    if (this.applied.has(id)) {
      this.inputsDuplicated++;
      return;
    }
    this.applied.add(id);
    if (id < this.maxAppliedId) {
      this.outOfOrder++;
    } else {
      this.maxAppliedId = id;
    }
  }

  /** Inputs recorded sent. */
  sentCount(): number {
    return this.sent;
  }

  /** Distinct input ids the game listed as applied. */
  appliedCount(): number {
    return this.applied.size;
  }

  /** The game reports every recorded input applied: once sending stops, the verdict is final. */
  settled(): boolean {
    return this.reportedApplied === this.sent;
  }

  /** The newest tick received, or -1 before any. */
  newestTick(): number {
    return this.updates === 0 ? -1 : this.maxTick;
  }

  /**
   * The longest silence in [fromMs, toMs] beyond the normal tick period, as BotLedger.stallNanos: the largest
   * gap between consecutive updates whose interval overlaps the window, less the period, at least 0.
   */
  stallMs(fromMs: number, toMs: number, tickPeriodMs: number): number {
    return Math.max(0, largest(this.gaps(fromMs, toMs, false)) - tickPeriodMs);
  }

  /**
   * Like stallMs over gaps that also end by toMs (BotLedger.stallNanosEndingBy): a window just before a
   * handoff must not count the gap the handoff opened.
   */
  stallMsEndingBy(fromMs: number, toMs: number, tickPeriodMs: number): number {
    return Math.max(0, largest(this.gaps(fromMs, toMs, true)) - tickPeriodMs);
  }

  /** Every gap between consecutive receipts that overlaps [fromMs, toMs] (and ends by toMs if asked), in ms. */
  gaps(fromMs: number, toMs: number, endingBy: boolean): number[] {
    const out: number[] = [];
    const r = this.receipts;
    for (let i = 1; i < r.length && r[i - 1] <= toMs; i++) {
      if (r[i] >= fromMs && (!endingBy || r[i] <= toMs)) {
        out.push(r[i] - r[i - 1]);
      }
    }
    return out;
  }

  /** When the first update arrived (ms), or undefined before any. */
  firstReceiptMs(): number | undefined {
    return this.receipts[0];
  }

  /** When the newest update arrived (ms), or undefined before any. */
  lastReceiptMs(): number | undefined {
    return this.receipts[this.receipts.length - 1];
  }

  /** Distinct ticks received. */
  ticksSeen(): number {
    return this.distinctTicks;
  }

  verdict(): Verdict {
    return {
      sent: this.sent,
      updates: this.updates,
      inputsLost: this.sent - this.applied.size,
      inputsDuplicated: this.inputsDuplicated,
      outputsLost: this.updates === 0 ? 0 : this.maxTick - this.firstTick + 1 - this.distinctTicks,
      outputsDuplicated: this.outputsDuplicated,
      outOfOrder: this.outOfOrder,
      unexpectedInputs: this.unexpectedInputs,
      inconsistentUpdates: this.inconsistentUpdates,
      malformedUpdates: this.malformedUpdates,
      countMatches: this.reportedApplied === this.sent,
      hashMatches: this.reportedHash === this.sentHash,
    };
  }
}

/** The largest value, 0 for none (no spread: a long run has more gaps than a call may take arguments). */
function largest(values: number[]): number {
  let m = 0;
  for (const v of values) {
    m = Math.max(m, v);
  }
  return m;
}

/** What is wrong with a verdict, for a human, as BotLedger.Verdict.problems; empty when the run was clean. */
export function problems(v: Verdict): string[] {
  const p: string[] = [];
  if (v.updates === 0) {
    p.push('no updates received');
  }
  const count = (n: number, what: string) => {
    if (n !== 0) {
      p.push(`${n} ${what}`);
    }
  };
  count(v.inputsLost, 'inputs lost');
  count(v.inputsDuplicated, 'inputs duplicated');
  count(v.outputsLost, 'outputs lost');
  count(v.outputsDuplicated, 'outputs duplicated');
  count(v.outOfOrder, 'out of order');
  count(v.unexpectedInputs, 'unexpected input ids');
  count(v.inconsistentUpdates, 'inconsistent updates');
  count(v.malformedUpdates, 'malformed updates');
  if (!v.countMatches) {
    p.push(`applied count differs from ${v.sent} sent`);
  }
  if (!v.hashMatches) {
    p.push('input hash differs');
  }
  return p;
}

/**
 * Nearest-rank percentile (0 < p <= 100) as StallDistribution reads it: the smallest value with at least p
 * percent of the values at or below it; 0 when there are none. Values are rounded to 0.01 ms as the reports print.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) {
    return 0;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round(sorted[rank - 1] * 100) / 100;
}
