/**
 * One client session's protocol logic, sans I/O: a port of baton-core's ClientCore (and its rooms
 * ClientLink, ClientHandoff, PendingInputs, OutputDelivery, Reconnect). No sockets and no clock: the
 * driver reports what happened with the time (milliseconds, any origin) and carries out what the Outbox
 * asks, so tests run it on a fake transport and a virtual clock.
 *
 * Outputs carry one sequence that continues from source to target, so the core merges whatever arrives on
 * either connection by number, each delivered once. Inputs are kept until acknowledged and resent on every
 * new connection; the server drops the ones it has already applied.
 */

import { ErrorCode, type Frame, HelloKind, Type, VERSION } from "./codec.js";
import { type Endpoint, relative } from "./endpoint.js";
import { SendBufferFullError } from "./errors.js";

export type LifecycleType = "connected" | "moved" | "attached" | "attach_failed" | "move_aborted" | "switched"
  | "disconnected" | "resumed" | "lost" | "closed";

export interface LifecycleEvent {
  type: LifecycleType;
  /** The URL of the server serving the session when it happened (after the change, for switched). */
  endpoint: string;
  detail: string;
}

/** What the core asks of its driver. */
export interface Outbox {
  /** Opens a connection; the driver reports `connected` or `disconnected` for the id it returns. */
  connect(to: Endpoint): number;
  send(conn: number, frame: Frame): void;
  close(conn: number): void;
  /** A switch let go of the source's connection: close it soon (the Java SDK: 50-300 ms later). */
  release(conn: number): void;
  /** Hands one output to the application: exactly once, in order; `index` is its number. */
  deliver(payload: Uint8Array, index: number): void;
  event(e: LifecycleEvent): void;
  /** The session exists on the server (first welcome). */
  established(sessionId: bigint): void;
  /** The session is gone for good; nothing more will be delivered. */
  lost(reason: string): void;
}

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

/** Why a WELCOME in another version than the one this SDK speaks is not read: both sides and the fix. */
function welcomeRefusal(version: number, server: string): string {
  return `the server at ${server} answered in client-link version ${version}, which this client does not speak `
    + `(it speaks ${VERSION}..${VERSION} and offered them in its HELLO): the server broke the version rule `
    + "(docs/protocol.md, Versions); run a Baton server that chooses within the client's range";
}

/** Reconnect attempt n waits this times 2^n after the immediate ones, up to maxBackoff. */
const BACKOFF_UNIT = 25;
const MAX_DOUBLINGS = 10;
/** Outputs held while a gap before them fills; beyond this they are dropped, to come again by resend. */
const MAX_EARLY = 65_536;
/** Delivered outputs that, unacknowledged, make a burst worth an ACK at once. */
const ACK_EVERY = 8;
const NEVER = Number.POSITIVE_INFINITY;

/** One connection, to home or to a handoff's target, and its two timers (ping when idle, dead when silent). */
class Link {
  state: "connecting" | "hello_sent" | "ready" = "connecting";
  private lastHeard: number;
  private lastPing: number;

  constructor(readonly conn: number, readonly server: Endpoint, private readonly timing: Timing, now: number) {
    this.lastHeard = now;
    this.lastPing = now;
  }

  static carries(link: Link | null, conn: number): link is Link {
    return link !== null && link.conn === conn;
  }

  get ready(): boolean { return this.state === "ready"; }
  helloSent(now: number): void { this.state = "hello_sent"; this.lastHeard = now; }
  welcomed(): void { this.state = "ready"; }
  heard(now: number): void { this.lastHeard = now; }
  pinged(now: number): void { this.lastPing = now; }
  /** A connection that never opens dies the same way as one that falls silent. */
  deadAt(): number { return this.lastHeard + this.timing.deadAfter; }
  pingAt(): number { return this.ready ? Math.max(this.lastPing, this.lastHeard) + this.timing.heartbeat : NEVER; }
}

/** Inputs from numbering until the server acknowledges them, and their payload bytes (the send buffer). */
class PendingInputs {
  private readonly unacked: { seq: bigint; payload: Uint8Array }[] = [];
  private head = 0;
  private nextSeq = 1n;
  private acked = 0n;
  bytes = 0;

  add(payload: Uint8Array): bigint {
    const seq = this.nextSeq++;
    this.unacked.push({ seq, payload });
    this.bytes += payload.length;
    return seq;
  }

  /** Cumulative: an older ack changes nothing. */
  ack(ack: bigint): void {
    if (ack <= this.acked) {
      return;
    }
    this.acked = ack;
    while (this.head < this.unacked.length && this.unacked[this.head]!.seq <= ack) {
      this.bytes -= this.unacked[this.head]!.payload.length;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.unacked.length) {
      this.unacked.splice(0, this.head);
      this.head = 0;
    }
  }

  resend(out: Outbox, conn: number, outputAck: bigint): void {
    for (let i = this.head; i < this.unacked.length; i++) {
      const p = this.unacked[i]!;
      out.send(conn, { type: Type.INPUT, seq: p.seq, ack: outputAck, payload: p.payload });
    }
  }

  get size(): number { return this.unacked.length - this.head; }
}

/** Outputs handed to the application once each and in order, whichever connection they came on. */
class OutputDelivery {
  delivered = 0n;
  private readonly early = new Map<bigint, Uint8Array>();
  private ackSent = 0n;
  ackDueAt = NEVER;

  constructor(private readonly out: Outbox, private readonly ackDelay: number) {}

  receive(seq: bigint, payload: Uint8Array): void {
    if (seq <= this.delivered) {
      return;
    }
    if (seq === this.delivered + 1n) {
      this.deliverNext(payload);
      // Every held output is above the one delivered (a held one is taken as soon as its turn comes), so
      // draining the run that now follows leaves nothing stale behind.
      for (let next = this.early.get(this.delivered + 1n); next !== undefined; next = this.early.get(this.delivered + 1n)) {
        this.early.delete(this.delivered + 1n);
        this.deliverNext(next);
      }
    } else if (this.early.size < MAX_EARLY) {
      this.early.set(seq, payload);
    }
  }

  private deliverNext(payload: Uint8Array): void {
    this.delivered++;
    this.out.deliver(payload, Number(this.delivered));
  }

  /** A frame carrying `delivered` went to the server: nothing is left to acknowledge. */
  acknowledged(): void { this.ackSent = this.delivered; }

  /** End of a burst: acknowledge at once if enough piled up, else within the ack delay. */
  flush(now: number, ready: Link | null): void {
    if (this.delivered - this.ackSent >= ACK_EVERY) {
      this.sendAck(ready);
    } else if (this.delivered > this.ackSent && this.ackDueAt === NEVER) {
      this.ackDueAt = now + this.ackDelay;
    }
  }

  sendAck(ready: Link | null): void {
    this.ackDueAt = NEVER;
    if (ready !== null && this.delivered > this.ackSent) {
      this.out.send(ready.conn, { type: Type.ACK, ack: this.delivered });
      this.ackSent = this.delivered;
    }
  }
}

/** When to try next after a loss (at once, then backing off), whose turn it is, and when to give up. */
class Reconnect {
  private attempt = 0;
  private lostSince: number | null = null;
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

  welcomed(): void {
    this.attempt = 0;
    this.lostSince = null;
    this.retryAt = NEVER;
  }

  givingUp(reason: string): string { return `could not resume within ${this.timing.resumeWindow} ms: ${reason}`; }
}

/**
 * A client's side of a handoff: the target (announced by MOVE with a ticket, or only hinted), and the
 * pre-connection to it, attached and idle until the SWITCH decides whether it carries on.
 */
class Handoff {
  target: Endpoint | null = null;
  private ticket: Uint8Array | null = null;
  private handoffId = 0n;
  /** The source withdrew its hint: resume at the target only after a SWITCH. */
  private hintWithdrawn = false;
  preConnection: Link | null = null;
  /** The number of the first OUTPUT the target sent on the pre-connection, 0 while none. */
  private firstTargetOutput = 0n;

  constructor(private readonly core: ClientCore) {}

  resumeTarget(afterSwitch: boolean): Endpoint | null {
    return this.target !== null && (!this.hintWithdrawn || afterSwitch) ? this.target : null;
  }

  hinted(origin: Endpoint, host: string, port: number, webSocket: string): void {
    if (host === "" && port === 0) {
      this.hintWithdrawn = true;
    } else {
      this.hintWithdrawn = false;
      if (this.target === null) {
        this.target = relative(origin, host, port, webSocket);
      }
    }
  }

  announced(origin: Endpoint, f: Extract<Frame, { type: typeof Type.MOVE }>): void {
    this.handoffId = f.handoffId;
    this.target = relative(origin, f.host, f.port, f.webSocket);
    this.ticket = f.ticket;
  }

  attach(now: number): void {
    const out = this.core.out;
    if (this.preConnection !== null) {
      out.close(this.preConnection.conn);
    }
    const target = this.target!;
    this.preConnection = new Link(out.connect(target), target, this.core.timing, now);
    this.core.emit("moved", target.url);
  }

  connected(sessionId: bigint, now: number): void {
    const pre = this.preConnection!;
    this.core.out.send(pre.conn, { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind: HelloKind.ATTACH, sessionId,
      token: this.ticket!, outputAck: this.core.outputs.delivered });
    pre.helloSent(now);
  }

  frame(f: Frame, serving: Link | null, now: number): void {
    const pre = this.preConnection!;
    const out = this.core.out;
    pre.heard(now);
    switch (f.type) {
      case Type.WELCOME:
        if (f.version !== VERSION) {
          this.drop();
          this.core.emit("attach_failed", welcomeRefusal(f.version, this.target!.url));
          break;
        }
        pre.welcomed();
        if (serving !== null) {
          out.send(serving.conn, { type: Type.ATTACHED, handoffId: this.handoffId });
        }
        this.core.emit("attached", this.target!.url);
        break;
      case Type.OUTPUT:
        // The target took authority and its first outputs overtook the source's SWITCH.
        if (this.firstTargetOutput === 0n) {
          this.firstTargetOutput = f.seq;
        }
        this.core.inputs.ack(f.ack);
        this.core.outputs.receive(f.seq, f.payload);
        break;
      case Type.ACK: this.core.inputs.ack(f.ack); break;
      case Type.PING: out.send(pre.conn, { type: Type.PONG, value: f.value }); break;
      case Type.PONG: break;
      case Type.ERROR:
      case Type.MOVE_ABORTED:
        this.drop();
        this.core.emit("attach_failed", f.type === Type.ERROR ? `${ErrorCode[f.code]}: ${f.message}` : "aborted");
        break;
      default:
        this.drop();
    }
  }

  /** The source was lost before its SWITCH: carry on over the pre-connection if nothing is missing. */
  carryOnWithoutSwitch(delivered: bigint): Link | null {
    const pre = this.preConnection;
    if (pre === null || !pre.ready || this.firstTargetOutput === 0n || delivered < this.firstTargetOutput - 1n) {
      return null;
    }
    return this.switched(true);
  }

  preConnectionLost(): void {
    const wasAttached = this.preConnection!.ready;
    this.preConnection = null;
    if (!wasAttached) {
      this.core.emit("attach_failed", `could not attach to ${this.target!.url}; will resume there after the switch`);
    }
  }

  aborted(handoffId: bigint): void {
    this.drop();
    this.target = null;
    this.hintWithdrawn = false;
    this.core.emit("move_aborted", `handoff ${handoffId.toString(16)} aborted`);
  }

  /** The SWITCH came: returns the pre-connection to carry on with if it is attached and caught up, else null. */
  switched(caughtUp: boolean): Link | null {
    this.target = null;
    this.hintWithdrawn = false;
    this.firstTargetOutput = 0n;
    const carried = this.preConnection;
    if (carried !== null && carried.ready && caughtUp) {
      this.preConnection = null;
      return carried;
    }
    this.drop();
    return null;
  }

  drop(): void {
    this.firstTargetOutput = 0n;
    if (this.preConnection !== null) {
      this.core.out.close(this.preConnection.conn);
      this.preConnection = null;
    }
  }
}

export interface CoreOptions {
  timing: Timing;
  /** Most payload bytes of unacknowledged inputs; `send` past it throws SendBufferFullError. */
  sendBufferBytes: number;
}

/**
 * The façade: routes each report to the connection it concerns, and holds the session's identity and phase
 * ("open"; "resuming_after_switch" when a SWITCH could not be carried by the pre-connection; "closed").
 */
export class ClientCore {
  readonly timing: Timing;
  readonly inputs = new PendingInputs();
  readonly outputs: OutputDelivery;
  private readonly handoff: Handoff;
  private readonly reconnect: Reconnect;
  private readonly sendBufferBytes: number;

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
    this.sendBufferBytes = options.sendBufferBytes;
    this.outputs = new OutputDelivery(out, this.timing.ackDelay);
    this.handoff = new Handoff(this);
    this.reconnect = new Reconnect(this.timing);
  }

  // ------------------------------------------------------------------ entry points

  start(now: number): void {
    this.serving = this.open(this.home, now);
  }

  connected(conn: number, now: number): void {
    if (Link.carries(this.serving, conn)) {
      const resume = this.sessionIdValue !== 0n;
      this.out.send(conn, { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION,
        kind: resume ? HelloKind.RESUME : HelloKind.NEW,
        sessionId: this.sessionIdValue, token: resume ? this.secret! : new Uint8Array(16),
        outputAck: this.outputs.delivered });
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
    if (this.inputs.bytes + payload.length > this.sendBufferBytes) {
      throw new SendBufferFullError(this.sendBufferBytes, this.inputs.bytes, payload.length);
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

  /** Fires every timer due at `now`, in their one order (a connection found dead is retried in the next poll). */
  poll(now: number): void {
    if (this.phase === "closed") {
      return;
    }
    if (this.serving === null && this.reconnect.retryAt <= now) {
      this.retry(now);
    }
    if (this.outputs.ackDueAt <= now) {
      this.outputs.sendAck(this.readyServing());
    }
    if (this.serving !== null && this.serving.deadAt() <= now) {
      this.servingDead(now);
    }
    if (this.serving !== null && this.serving.pingAt() <= now) {
      this.ping(this.serving, now);
    }
    if (this.handoff.preConnection !== null && this.handoff.preConnection.deadAt() <= now) {
      this.handoff.drop();
    }
    if (this.handoff.preConnection !== null && this.handoff.preConnection.pingAt() <= now) {
      this.ping(this.handoff.preConnection, now);
    }
  }

  /** End of a burst of frames: acknowledge what was delivered, if enough has piled up. */
  flush(now: number): void {
    this.outputs.flush(now, this.readyServing());
  }

  /** When the driver must poll next (Infinity: never). */
  nextDeadline(): number {
    if (this.phase === "closed") {
      return NEVER;
    }
    let d = this.outputs.ackDueAt;
    if (this.serving === null) {
      d = Math.min(d, this.reconnect.retryAt);
    } else {
      d = Math.min(d, this.serving.deadAt(), this.serving.pingAt());
    }
    const pre = this.handoff.preConnection;
    if (pre !== null) {
      d = Math.min(d, pre.deadAt(), pre.pingAt());
    }
    return d;
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

  private ping(link: Link, now: number): void {
    link.pinged(now);
    this.out.send(link.conn, { type: Type.PING, value: BigInt(Math.max(0, Math.floor(now))) });
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
    return new Link(this.out.connect(server), server, this.timing, now);
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
