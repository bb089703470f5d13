/**
 * The send buffer (baton-core's PendingInputs): every input from the moment it is numbered until the server
 * acknowledges it, their payload bytes and the limit on those. Inputs are resent whole, in order, on every
 * new connection; the server drops the ones it has already applied, which is what makes resending safe.
 */

import { Type } from "./codec.js";
import { SendBufferFullError } from "./errors.js";
import type { Outbox } from "./outbox.js";

/** Acknowledged entries at the front are cut off the array once there are more than this and they are most of it. */
const COMPACT_AFTER = 1024;

/** Inputs from numbering until the server acknowledges them, and their payload bytes (the send buffer). */
export class PendingInputs {
  private readonly unacked: { seq: bigint; payload: Uint8Array }[] = [];
  /** The first entry not yet acknowledged: acknowledging moves it, without shifting the array each time. */
  private head = 0;
  private nextSeq = 1n;
  private acked = 0n;
  bytes = 0;

  /** `limitBytes`: most payload bytes held at once (the SDK's `sendBufferBytes`). */
  constructor(private readonly limitBytes: number) {}

  /**
   * Numbers one input (1, 2, 3, ...) and keeps it until acknowledged; throws SendBufferFullError, keeping
   * nothing and numbering nothing, when it would take the bytes held past the limit.
   */
  add(payload: Uint8Array): bigint {
    if (this.bytes + payload.length > this.limitBytes) {
      throw new SendBufferFullError(this.limitBytes, this.bytes, payload.length);
    }
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
    if (this.head > COMPACT_AFTER && this.head * 2 > this.unacked.length) {
      this.unacked.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Sends every unacknowledged input on `conn`, oldest first, each carrying `outputAck`. */
  resend(out: Outbox, conn: number, outputAck: bigint): void {
    for (let i = this.head; i < this.unacked.length; i++) {
      const p = this.unacked[i]!;
      out.send(conn, { type: Type.INPUT, seq: p.seq, ack: outputAck, payload: p.payload });
    }
  }

  get size(): number { return this.unacked.length - this.head; }
}
