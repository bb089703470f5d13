/**
 * A client's side of a handoff (baton-core's ClientHandoff): the target, announced by MOVE with a ticket or
 * only hinted by TARGET_HINT; the pre-connection to it, attached and idle until the SWITCH; the frames the
 * target sends there; and the decision, at the SWITCH or when the source is lost first, whether that
 * pre-connection carries the session on or the client resumes at the target instead.
 */

import { ErrorCode, type Frame, HelloKind, Type, VERSION } from "./codec.js";
import { type Endpoint, relative } from "./endpoint.js";
import { hello, Link, welcomeRefusal } from "./link.js";
import type { LifecycleType, Outbox } from "./outbox.js";
import type { OutputDelivery } from "./output-delivery.js";
import type { PendingInputs } from "./pending-inputs.js";
import type { Timing } from "./timers.js";

/**
 * What the handoff needs of the session it belongs to (the core): the driver, the timing of its links, both
 * halves of exactly once (the target's frames acknowledge inputs and carry outputs) and the lifecycle events.
 */
export interface HandoffSession {
  readonly out: Outbox;
  readonly timing: Timing;
  readonly inputs: PendingInputs;
  readonly outputs: OutputDelivery;
  emit(type: LifecycleType, detail: string): void;
}

/**
 * A client's side of a handoff: the target (announced by MOVE with a ticket, or only hinted), and the
 * pre-connection to it, attached and idle until the SWITCH decides whether it carries on.
 */
export class Handoff {
  target: Endpoint | null = null;
  private ticket: Uint8Array | null = null;
  private handoffId = 0n;
  /** The source withdrew its hint: resume at the target only after a SWITCH. */
  private hintWithdrawn = false;
  preConnection: Link | null = null;
  /** The number of the first OUTPUT the target sent on the pre-connection, 0 while none. */
  private firstTargetOutput = 0n;

  constructor(private readonly core: HandoffSession) {}

  /** Where a lost session may also be resumed: the target, unless its hint was withdrawn and no SWITCH came. */
  resumeTarget(afterSwitch: boolean): Endpoint | null {
    return this.target !== null && (!this.hintWithdrawn || afterSwitch) ? this.target : null;
  }

  /** TARGET_HINT: the target to try when the source is lost; an empty host and port 0 withdraw it. */
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

  /** MOVE: the target and the ticket that attaches to it (the core attaches only on a welcomed connection). */
  announced(origin: Endpoint, f: Extract<Frame, { type: typeof Type.MOVE }>): void {
    this.handoffId = f.handoffId;
    this.target = relative(origin, f.host, f.port, f.webSocket);
    this.ticket = f.ticket;
  }

  /** Opens the pre-connection to the announced target, replacing an earlier one. */
  attach(now: number): void {
    const out = this.core.out;
    if (this.preConnection !== null) {
      out.close(this.preConnection.conn);
    }
    const target = this.target!;
    this.preConnection = Link.open(out, target, this.core.timing, now);
    this.core.emit("moved", target.url);
  }

  /** The pre-connection is open: HELLO ATTACH with the ticket and the last output delivered. */
  connected(sessionId: bigint, now: number): void {
    const pre = this.preConnection!;
    this.core.out.send(pre.conn, hello(HelloKind.ATTACH, sessionId, this.ticket!, this.core.outputs.delivered));
    pre.helloSent(now);
  }

  /** A frame on the pre-connection; `serving` (when ready) is told ATTACHED once the target welcomes it. */
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

  /** The driver lost the pre-connection: attach_failed if it never attached; either way a SWITCH now resumes at the target. */
  preConnectionLost(): void {
    const wasAttached = this.preConnection!.ready;
    this.preConnection = null;
    if (!wasAttached) {
      this.core.emit("attach_failed", `could not attach to ${this.target!.url}; will resume there after the switch`);
    }
  }

  /** MOVE_ABORTED: the handoff is over and the session stays where it is. */
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

  /** Lets go of the pre-connection, if any; the target stays known. */
  drop(): void {
    this.firstTargetOutput = 0n;
    if (this.preConnection !== null) {
      this.core.out.close(this.preConnection.conn);
      this.preConnection = null;
    }
  }
}
