/**
 * One page's session, without the DOM: what it sends, what it hears, and the state the report and the HUD
 * are drawn from. The page (page.ts) gives it the SDK's client and the clock; tests give it fakes.
 */
import { Ledger } from './ledger.js';
import { decodeUpdate, encodeMove, encodeView, MAX_VIEW, Update } from './protocol.js';
import { PageState, report } from './report.js';

/** What the player needs of the SDK's BatonClient (contract 4). */
export interface Session {
  send(payload: Uint8Array): void;
  readonly endpoint: string;
  readonly sessionId: bigint;
}

/** The SDK's lifecycle event, as far as the player reads it. */
export interface Lifecycle {
  type: string;
  endpoint: string;
  detail: string;
}

export class Player {
  readonly ledger = new Ledger();
  readonly state: PageState;
  /** The newest update, null before the first. */
  latest: Update | null = null;
  /** The last positions, oldest first, at most `trailLength`. */
  readonly trail: Array<[number, number]> = [];
  /** Why the other players are not drawn, when the VIEW could not be sent; null when it went out. */
  viewError: string | null = null;
  private session: Session | null = null;
  private delivered = 0;

  /** `isBufferFull` tells the SDK's SendBufferFullError from a real failure. */
  constructor(tickHz: number, private readonly isBufferFull: (e: unknown) => boolean,
              private readonly trailLength = 3 * tickHz) {
    this.state = { session: null, endpoint: null, handoffsSeen: 0, resumes: 0, errors: [], marks: {},
      tickPeriodMs: 1000 / tickHz, sending: false };
  }

  /**
   * The session is open: sending starts, after one VIEW asking for the other players (MAX_VIEW of them) that
   * the canvas draws. The VIEW is no move, so the ledger and the report never see it; a VIEW the SDK refuses
   * only costs the drawing of the others (`viewError` says why), not the verification.
   */
  attach(session: Session): void {
    this.session = session;
    this.state.session = session.sessionId.toString();
    this.state.endpoint = session.endpoint;
    this.state.sending = true;
    try {
      session.send(encodeView(MAX_VIEW));
    } catch (e) {
      this.viewError = `asking to see the other players failed: ${String(e)}; only your dot is drawn`;
    }
  }

  /** One output from the SDK: its index must be the next, its bytes an update, which the ledger checks. */
  onMessage(bytes: Uint8Array, index: number, nowMs: number): void {
    if (index !== this.delivered + 1) {
      this.state.errors.push(`the SDK delivered output ${index} after ${this.delivered}`);
    }
    this.delivered = index;
    let u: Update;
    try {
      u = decodeUpdate(bytes);
    } catch {
      this.ledger.onMalformedUpdate(nowMs);
      return;
    }
    this.ledger.onUpdate(nowMs, u);
    this.latest = u;
    this.trail.push([u.x, u.y]);
    if (this.trail.length > this.trailLength) {
      this.trail.shift();
    }
  }

  onLifecycle(e: Lifecycle): void {
    this.state.endpoint = e.endpoint;
    if (e.type === 'switched') {
      this.state.handoffsSeen++;
    } else if (e.type === 'resumed') {
      this.state.resumes++;
    } else if (e.type === 'lost') {
      this.state.errors.push(`session lost: ${e.detail}`);
      this.state.sending = false;
    }
  }

  /**
   * Sends one move, recorded before it goes out; a move the SDK refuses for a full send buffer is taken back
   * (skipped, as a Java Bot skips it); any other failure stops sending, keeping what was sent verifiable.
   */
  send(dx: number, dy: number): void {
    const s = this.session;
    if (!s || !this.state.sending) {
      return;
    }
    const id = this.ledger.recordSend(dx, dy);
    try {
      s.send(encodeMove(id, dx, dy));
    } catch (e) {
      this.ledger.retractSend(id);
      if (!this.isBufferFull(e)) {
        this.state.sending = false;
        this.state.errors.push(`send failed: ${String(e)}`);
      }
    }
  }

  mark(name: string, nowMs: number): void {
    this.state.marks[name] = nowMs;
  }

  stop(): void {
    this.state.sending = false;
  }

  report(nowMs: number): Record<string, unknown> {
    return report(this.ledger, this.state, nowMs);
  }
}
