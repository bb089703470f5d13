/**
 * One client session's protocol logic, sans I/O: a port of baton-core's ClientCore. No sockets and no
 * clock: the driver reports what happened with the time (milliseconds, any origin) and carries out what the
 * Outbox asks, so tests run it on a fake transport and a virtual clock. This is the one place that ties the
 * session's rooms together, each in its own module as on the Java side: Link (link.ts, one connection),
 * PendingInputs (pending-inputs.ts, the send buffer), OutputDelivery (output-delivery.ts, the reorder buffer
 * and acknowledgement), Reconnect (reconnect.ts, backoff and resume window), Handoff (handoff.ts, the target
 * and the pre-connection), the timers (timers.ts). Here live the session's identity and phase, which
 * connection serves it, and what each frame on it means. Outputs carry one sequence that continues from
 * source to target, so whatever arrives on either connection is merged by number, each delivered once.
 * Inputs are kept until acknowledged and resent on every new connection; the server drops the ones it has
 * already applied.
 */

import { ErrorCode, type Frame, HelloKind, Type, VERSION } from "./codec.js";
import type { Endpoint } from "./endpoint.js";
import { Handoff, type HandoffSession } from "./handoff.js";
import { hello, Link, welcomeRefusal } from "./link.js";
import type { LifecycleType, Outbox } from "./outbox.js";
import { OutputDelivery } from "./output-delivery.js";
import { PendingInputs } from "./pending-inputs.js";
import { Reconnect } from "./reconnect.js";
import { NEVER, type Timer, TimerTable, type Timing } from "./timers.js";

// What a driver needs to build and run a core, from the one module it imports.
export type { LifecycleEvent, LifecycleType, Outbox } from "./outbox.js";
export { defaultTiming, type Timing } from "./timers.js";

export interface CoreOptions {
  timing: Timing;
  /** Most payload bytes of unacknowledged inputs; `send` past it throws SendBufferFullError. */
  sendBufferBytes: number;
}

/**
 * The façade: routes each report to the connection it concerns, and holds the session's identity and phase
 * ("open"; "resuming_after_switch" when a SWITCH could not be carried by the pre-connection; "closed").
 */
export class ClientCore implements HandoffSession {
  readonly timing: Timing;
  readonly inputs: PendingInputs;
  readonly outputs: OutputDelivery;
  private readonly handoff: Handoff;
  private readonly reconnect: Reconnect;
  private readonly timers: TimerTable;

  private phase: "open" | "resuming_after_switch" | "closed" = "open";
  private sessionIdValue = 0n;
  private secret: Uint8Array | null = null;
  /** Who serves the session: the first server, then whoever welcomed it last or switched it there. */
  private home: Endpoint;
  /** The connection that serves the session (or is being opened); null between a loss and the retry. */
  private serving: Link | null = null;

  /** The URL the client was given: its scheme, path and query go with a target's host:port. */
  private readonly origin: Endpoint;

  constructor(server: Endpoint, options: CoreOptions, readonly out: Outbox) {
    this.origin = server;
    this.home = server;
    this.timing = options.timing;
    this.inputs = new PendingInputs(options.sendBufferBytes);
    this.outputs = new OutputDelivery(out, this.timing.ackDelay);
    this.handoff = new Handoff(this);
    this.reconnect = new Reconnect(this.timing);
    this.timers = this.declareTimers();
  }

  /**
   * The session's timers, each declared once, in the order a poll fires them. The order matters in that a
   * connection found dead in a poll is retried in the next (at once: its retry is then due), never in the
   * pass that found it dead.
   */
  private declareTimers(): TimerTable {
    const timer = (name: string, armed: () => boolean, due: () => number, fire: (now: number) => void): Timer =>
      ({ name, armed, due, fire });
    const serving = () => this.serving!;
    const pre = () => this.handoff.preConnection!;
    return new TimerTable(
      timer("retry", () => this.serving === null, () => this.reconnect.retryAt, (now) => this.retry(now)),
      timer("ack", () => true, () => this.outputs.ackDueAt, () => this.outputs.sendAck(this.readyServing())),
      timer("serving dead", () => this.serving !== null, () => serving().deadAt(), (now) => this.servingDead(now)),
      timer("serving ping", () => this.serving !== null, () => serving().pingAt(), (now) => serving().ping(this.out, now)),
      timer("pre-connection dead", () => this.handoff.preConnection !== null, () => pre().deadAt(), () => this.handoff.drop()),
      timer("pre-connection ping", () => this.handoff.preConnection !== null, () => pre().pingAt(),
        (now) => pre().ping(this.out, now)));
  }

  // ------------------------------------------------------------------ entry points

  start(now: number): void {
    this.serving = this.open(this.home, now);
  }

  connected(conn: number, now: number): void {
    if (Link.carries(this.serving, conn)) {
      const resume = this.sessionIdValue !== 0n;
      this.out.send(conn, hello(resume ? HelloKind.RESUME : HelloKind.NEW, this.sessionIdValue,
        resume ? this.secret! : new Uint8Array(16), this.outputs.delivered));
      this.serving.helloSent(now);
    } else if (Link.carries(this.handoff.preConnection, conn)) {
      this.handoff.connected(this.sessionIdValue, now);
    } else {
      this.out.close(conn);
    }
  }

  frame(conn: number, f: Frame, now: number): void {
    if (this.phase === "closed") {
      return;
    }
    if (Link.carries(this.serving, conn)) {
      this.serving.heard(now);
      this.servingFrame(f, now);
    } else if (Link.carries(this.handoff.preConnection, conn)) {
      this.handoff.frame(f, this.readyServing(), now);
    }
  }

  disconnected(conn: number, now: number): void {
    if (this.phase === "closed") {
      return;
    }
    if (Link.carries(this.serving, conn)) {
      if (!this.carriedOnWithoutSwitch("lost")) {
        this.servingLost(`connection to ${this.serving.server.url} lost`, now);
      }
    } else if (Link.carries(this.handoff.preConnection, conn)) {
      this.handoff.preConnectionLost();
    }
  }

  /** Numbers one input, keeps it until acknowledged, and sends it if a connection is ready. */
  send(payload: Uint8Array, _now: number): void {
    if (this.phase === "closed") {
      throw new Error("the session is closed: send nothing after close() or after the session was lost");
    }
    const seq = this.inputs.add(payload);
    const ready = this.readyServing();
    if (ready !== null) {
      this.out.send(ready.conn, { type: Type.INPUT, seq, ack: this.outputs.delivered, payload });
      this.outputs.acknowledged();
    }
  }

  /** Ends the session on the server and lets go of every connection. */
  close(_now: number): void {
    if (this.phase === "closed") {
      return;
    }
    const ready = this.readyServing();
    if (ready !== null) {
      this.out.send(ready.conn, { type: Type.CLOSE });
    }
    this.end(null);
  }

  /** Fires every timer due at `now`, in the order `declareTimers` gives them. */
  poll(now: number): void {
    if (this.phase === "closed") {
      return;
    }
    this.timers.poll(now);
  }

  /** End of a burst of frames: acknowledge what was delivered, if enough has piled up. */
  flush(now: number): void {
    this.outputs.flush(now, this.readyServing());
  }

  /** When the driver must poll next (Infinity: never). */
  nextDeadline(): number {
    return this.phase === "closed" ? NEVER : this.timers.nextDeadline();
  }

  get sessionId(): bigint { return this.sessionIdValue; }
  get closed(): boolean { return this.phase === "closed"; }
  /** The URL of the server serving the session now. */
  get endpoint(): string { return this.home.url; }
  get pendingInputs(): number { return this.inputs.size; }
  get pendingBytes(): number { return this.inputs.bytes; }
  get delivered(): number { return Number(this.outputs.delivered); }

  emit(type: LifecycleType, detail: string): void {
    this.out.event({ type, endpoint: this.home.url, detail });
  }

  // ------------------------------------------------------------------ timers

  private servingDead(now: number): void {
    const serving = this.serving!;
    this.out.close(serving.conn);
    if (!this.carriedOnWithoutSwitch(`silent for ${this.timing.deadAfter} ms`)) {
      this.servingLost(`no word from ${serving.server.url} for ${this.timing.deadAfter} ms`, now);
    }
  }

  /**
   * The source's connection was lost or fell silent before its SWITCH came, after the target spoke as
   * authority on the pre-connection: carry on there as if switched, when nothing the source sent is missing.
   */
  private carriedOnWithoutSwitch(what: string): boolean {
    const target = this.handoff.target;
    const carried = this.handoff.carryOnWithoutSwitch(this.outputs.delivered);
    if (carried === null || target === null) {
      return false;
    }
    const source = this.serving!.server;
    this.home = target;
    this.serving = carried;
    this.resendInputs();
    this.emit("switched", `${this.home.url} (the connection to ${source.url} was ${what} before its SWITCH)`);
    return true;
  }

  // ------------------------------------------------------------------ frames on the serving connection

  private servingFrame(f: Frame, now: number): void {
    const serving = this.serving!;
    switch (f.type) {
      case Type.OUTPUT:
        this.inputs.ack(f.ack);
        this.outputs.receive(f.seq, f.payload);
        break;
      case Type.ACK: this.inputs.ack(f.ack); break;
      case Type.WELCOME: this.welcome(f, now); break;
      case Type.MOVE:
        this.handoff.announced(this.origin, f);
        if (serving.ready) {
          this.handoff.attach(now);
        } // else a retired source answering a resume: the SWITCH that follows sends us there
        break;
      case Type.SWITCH: this.switchOver(f.lastOutputSeq, now); break;
      case Type.TARGET_HINT: this.handoff.hinted(this.origin, f.host, f.port, f.webSocket); break;
      case Type.MOVE_ABORTED: this.handoff.aborted(f.handoffId); break;
      case Type.PING: this.out.send(serving.conn, { type: Type.PONG, value: f.value }); break;
      case Type.PONG: break;
      case Type.ERROR: this.serverError(f.code, f.message, now); break;
      default: this.protocolBreach(f, now);
    }
  }

  private welcome(w: Extract<Frame, { type: typeof Type.WELCOME }>, now: number): void {
    if (w.version !== VERSION) {
      const why = welcomeRefusal(w.version, this.serving!.server.url);
      this.out.send(this.serving!.conn, { type: Type.ERROR, code: ErrorCode.UNSUPPORTED_VERSION, message: why });
      this.end(why);
      return;
    }
    const fresh = this.sessionIdValue === 0n;
    if (fresh) {
      this.sessionIdValue = w.sessionId;
      this.secret = w.secret;
    } else if (w.sessionId !== this.sessionIdValue) {
      this.protocolBreach(w, now);
      return;
    }
    const serving = this.serving!;
    serving.welcomed();
    this.home = serving.server; // whoever welcomed the session serves it now
    this.reconnect.welcomed();
    this.inputs.ack(w.inputAck);
    this.resendInputs();
    const afterSwitch = this.phase === "resuming_after_switch";
    if (fresh) {
      this.out.established(this.sessionIdValue);
      this.emit("connected", serving.server.url);
    } else if (afterSwitch) {
      this.emit("switched", `resumed at ${serving.server.url} after the switch`);
    } else {
      this.emit("resumed", serving.server.url);
    }
    if (afterSwitch) {
      this.phase = "open";
    }
  }

  private switchOver(lastOutputSeq: bigint, now: number): void {
    const target = this.handoff.target;
    if (target === null) {
      this.protocolBreach({ type: Type.SWITCH, handoffId: 0n, lastOutputSeq }, now);
      return;
    }
    const old = this.serving!;
    this.home = target;
    // The pre-connection carries on only from the source's last output; a client that missed some resumes
    // on the target instead, which resends them.
    const carried = this.handoff.switched(this.outputs.delivered >= lastOutputSeq);
    if (carried !== null) {
      this.serving = carried;
      this.resendInputs();
      this.emit("switched", target.url);
    } else {
      this.phase = "resuming_after_switch";
      this.serving = this.open(this.home, now);
    }
    this.out.release(old.conn);
  }

  private serverError(code: ErrorCode, message: string, now: number): void {
    const reason = `${ErrorCode[code]}: ${message}`;
    switch (code) {
      case ErrorCode.UNKNOWN_SESSION:
      case ErrorCode.SESSION_CLOSED:
      case ErrorCode.UNSUPPORTED_VERSION:
      case ErrorCode.INPUT_TOO_LARGE:
        this.end(reason);
        break;
      default:
        this.out.close(this.serving!.conn);
        this.servingLost(reason, now);
    }
  }

  private protocolBreach(f: Frame, now: number): void {
    const serving = this.serving!;
    this.out.send(serving.conn, { type: Type.ERROR, code: ErrorCode.PROTOCOL_VIOLATION,
      message: `unexpected frame type ${f.type}` });
    this.out.close(serving.conn);
    this.servingLost("server broke the protocol", now);
  }

  private resendInputs(): void {
    this.inputs.resend(this.out, this.serving!.conn, this.outputs.delivered);
    this.outputs.acknowledged();
  }

  // ------------------------------------------------------------------ connections

  private open(server: Endpoint, now: number): Link {
    return Link.open(this.out, server, this.timing, now);
  }

  private readyServing(): Link | null {
    return this.serving !== null && this.serving.ready ? this.serving : null;
  }

  private servingLost(reason: string, now: number): void {
    this.serving = null;
    if (this.reconnect.lost(now)) {
      this.emit("disconnected", reason);
    }
    if (this.reconnect.windowExpired(now)) {
      this.end(this.sessionIdValue === 0n
        ? `could not open a session at ${this.home.url} within ${this.timing.resumeWindow} ms: ${reason}`
        : this.reconnect.givingUp(reason));
      return;
    }
    this.reconnect.schedule(now, this.handoff.resumeTarget(false) !== null);
  }

  /** Reconnects: alternately home and, when one is known and may be resumed at, the handoff's target. */
  private retry(now: number): void {
    const targetsTurn = this.reconnect.retrying();
    const target = this.handoff.resumeTarget(this.phase === "resuming_after_switch");
    this.serving = this.open(target !== null && targetsTurn ? target : this.home, now);
  }

  private end(reason: string | null): void {
    this.phase = "closed";
    if (this.serving !== null) {
      this.out.close(this.serving.conn);
    }
    this.handoff.drop();
    this.serving = null;
    this.emit(reason === null ? "closed" : "lost", reason ?? "closed by the application");
    if (reason !== null) {
      this.out.lost(reason);
    }
  }
}
