/**
 * The output side of exactly once, in order (baton-core's OutputDelivery): outputs carry one sequence that
 * continues from a handoff's source to its target, so whatever arrives on either connection is merged here
 * by number and handed to the application once each. It also decides when to acknowledge what was delivered.
 */

import { Type } from "./codec.js";
import type { Link } from "./link.js";
import type { Outbox } from "./outbox.js";
import { NEVER } from "./timers.js";

/** Outputs held while a gap before them fills; beyond this they are dropped, to come again by resend. */
export const MAX_EARLY = 65_536;
/** Delivered outputs that, unacknowledged, make a burst worth an ACK at once. */
export const ACK_EVERY = 8;

/** Outputs handed to the application once each and in order, whichever connection they came on. */
export class OutputDelivery {
  /** The number of the last output handed to the application (0: none yet). */
  delivered = 0n;
  /** The reorder buffer: outputs that came before their turn, by number. */
  private readonly early = new Map<bigint, Uint8Array>();
  private ackSent = 0n;
  /** When a standalone ACK is due (NEVER: none is). */
  ackDueAt = NEVER;

  constructor(private readonly out: Outbox, private readonly ackDelay: number) {}

  /** One OUTPUT from either connection: delivered now with the run it completes, held, or dropped as a repeat. */
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

  /** Sends a standalone ACK on the ready connection if anything is unacknowledged; disarms the ack timer. */
  sendAck(ready: Link | null): void {
    this.ackDueAt = NEVER;
    if (ready !== null && this.delivered > this.ackSent) {
      this.out.send(ready.conn, { type: Type.ACK, ack: this.delivered });
      this.ackSent = this.delivered;
    }
  }
}
