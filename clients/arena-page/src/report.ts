/**
 * What a page reports (issue 14, contract 7): the ledger's verdict under the names the demo's JSON gives
 * them, and the stall figures measured as the Java bots measure them. Pure: the page passes the clock in.
 */
import { Ledger, percentile, problems } from './ledger.js';

export interface Stalls {
  p50: number;
  p99: number;
  max: number;
}

export interface PageState {
  session: string | null;
  endpoint: string | null;
  handoffsSeen: number;
  resumes: number;
  errors: string[];
  /** performance.now() of each arenaMark(name) */
  marks: Record<string, number>;
  tickPeriodMs: number;
  sending: boolean;
}

/**
 * The stalls of the window [fromMs, toMs]: every gap between consecutive updates that overlaps it (or, with
 * endingBy, also ends in it), less one tick period, at least 0; p50/p99 by nearest rank and max. The max is the
 * per-client stall of BotLedger.stallNanos / stallNanosEndingBy: the figure the demo's across-client p50/p99/max
 * is taken over.
 */
export function stalls(ledger: Ledger, fromMs: number, toMs: number, tickPeriodMs: number, endingBy: boolean): Stalls {
  const excess = ledger.gaps(fromMs, toMs, endingBy).map((g) => Math.max(0, g - tickPeriodMs));
  const max = endingBy ? ledger.stallMsEndingBy(fromMs, toMs, tickPeriodMs) : ledger.stallMs(fromMs, toMs, tickPeriodMs);
  return { p50: percentile(excess, 50), p99: percentile(excess, 99), max: Math.round(max * 100) / 100 };
}

/**
 * The report. The stall window runs from the 'handoff' mark (or the first update, without one) to now; the
 * baseline window is as long a window just before the mark, over gaps that end by the mark (the demo's
 * definition), and is all zeros without a mark.
 */
export function report(ledger: Ledger, state: PageState, nowMs: number): Record<string, unknown> {
  const v = ledger.verdict();
  const first = ledger.firstReceiptMs() ?? nowMs;
  const mark = state.marks['handoff'];
  const from = mark ?? first;
  const stall = stalls(ledger, from, nowMs, state.tickPeriodMs, false);
  const baseline = mark === undefined ? { p50: 0, p99: 0, max: 0 }
    : stalls(ledger, Math.max(first, mark - (nowMs - mark)), mark, state.tickPeriodMs, true);
  const wrong = problems(v);
  return {
    session: state.session,
    endpoint: state.endpoint,
    inputs_sent: v.sent,
    inputs_acked: ledger.appliedCount(),
    inputs_lost: v.inputsLost,
    inputs_duplicated: v.inputsDuplicated,
    out_of_order: v.outOfOrder,
    ticks_seen: ledger.ticksSeen(),
    ticks_duplicated: v.outputsDuplicated,
    ticks_missed: v.outputsLost,
    unexpected_inputs: v.unexpectedInputs,
    inconsistent_updates: v.inconsistentUpdates,
    malformed_updates: v.malformedUpdates,
    count_matches: v.countMatches,
    hash_matches: v.hashMatches,
    updates: v.updates,
    newest_tick: ledger.newestTick(),
    stall_ms: stall,
    baseline_stall_ms: baseline,
    stall_window_ms: ledger.firstReceiptMs() === undefined ? null : { from: round(from - first), to: round(nowMs - first) },
    handoffs_seen: state.handoffsSeen,
    resumes: state.resumes,
    sending: state.sending,
    settled: ledger.settled(),
    verified: !state.sending && ledger.settled() && wrong.length === 0 && state.errors.length === 0,
    problems: wrong,
    errors: [...state.errors],
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
