/**
 * The core's one way out: what it asks of its driver (connect, send, close, deliver) and the lifecycle
 * events it reports. Its own module so that the core's rooms (the handoff, the output delivery) can speak to
 * the driver without importing the core that owns them.
 */

import type { Frame } from "./codec.js";
import type { Endpoint } from "./endpoint.js";

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
