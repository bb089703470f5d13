// A recording Outbox for the unit tests of the core's rooms: it opens numbered connections and keeps what
// each room asked of it, so a test can assert the frames and events one room produced on its own.
import type { Frame } from "../src/codec.js";
import type { Endpoint } from "../src/endpoint.js";
import type { LifecycleEvent, Outbox } from "../src/outbox.js";

export class Recorder implements Outbox {
  readonly opened: string[] = [];
  readonly sent: [number, Frame][] = [];
  readonly closed: number[] = [];
  readonly released: number[] = [];
  readonly delivered: [number, number][] = [];
  readonly events: LifecycleEvent[] = [];

  connect(to: Endpoint): number { this.opened.push(to.url); return this.opened.length; }
  send(conn: number, frame: Frame): void { this.sent.push([conn, frame]); }
  close(conn: number): void { this.closed.push(conn); }
  release(conn: number): void { this.released.push(conn); }
  /** Keeps the payload's first byte with its index. */
  deliver(payload: Uint8Array, index: number): void { this.delivered.push([payload[0] ?? -1, index]); }
  event(e: LifecycleEvent): void { this.events.push(e); }
  established(): void {}
  lost(): void {}

  /** The frames sent on `conn`, in order. */
  on(conn: number): Frame[] { return this.sent.filter(([c]) => c === conn).map(([, f]) => f); }
}
