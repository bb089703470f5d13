/**
 * One connection of a session (baton-core's ClientLink), to home or to a handoff's target: its handshake
 * state and its two liveness deadlines, and the version rule every connection's handshake follows (the
 * range a HELLO offers, and why a WELCOME outside it is refused). The core and the handoff each hold links;
 * neither repeats how a link times out.
 */

import { type Frame, type HelloKind, Type, VERSION } from "./codec.js";
import type { Endpoint } from "./endpoint.js";
import type { Outbox } from "./outbox.js";
import { NEVER, type Timing } from "./timers.js";

/** One connection and its two timers (ping when idle, dead when silent). */
export class Link {
  state: "connecting" | "hello_sent" | "ready" = "connecting";
  private lastHeard: number;
  private lastPing: number;

  constructor(readonly conn: number, readonly server: Endpoint, private readonly timing: Timing, now: number) {
    this.lastHeard = now;
    this.lastPing = now;
  }

  /** Asks the driver for a connection to `server`; from now on, `deadAfter` without a word from it and it is dead. */
  static open(out: Outbox, server: Endpoint, timing: Timing, now: number): Link {
    return new Link(out.connect(server), server, timing, now);
  }

  /** Whether `link` is the connection the driver reported about (a report on a connection let go is stale). */
  static carries(link: Link | null, conn: number): link is Link {
    return link !== null && link.conn === conn;
  }

  get ready(): boolean { return this.state === "ready"; }
  helloSent(now: number): void { this.state = "hello_sent"; this.lastHeard = now; }
  welcomed(): void { this.state = "ready"; }
  heard(now: number): void { this.lastHeard = now; }
  /** Sends a PING carrying the time (whole milliseconds, never negative) and waits a heartbeat for the next. */
  ping(out: Outbox, now: number): void {
    this.lastPing = now;
    out.send(this.conn, { type: Type.PING, value: BigInt(Math.max(0, Math.floor(now))) });
  }
  /** A connection that never opens dies the same way as one that falls silent. */
  deadAt(): number { return this.lastHeard + this.timing.deadAfter; }
  /** Only a welcomed connection is pinged: before that the HELLO is what the server waits for. */
  pingAt(): number { return this.ready ? Math.max(this.lastPing, this.lastHeard) + this.timing.heartbeat : NEVER; }
}

/** The HELLO that opens every connection: it offers the one version this SDK speaks, VERSION..VERSION. */
export function hello(kind: HelloKind, sessionId: bigint, token: Uint8Array, outputAck: bigint): Frame {
  return { type: Type.HELLO, minVersion: VERSION, maxVersion: VERSION, kind, sessionId, token, outputAck };
}

/** Why a WELCOME in another version than the one this SDK speaks is not read: both sides and the fix. */
export function welcomeRefusal(version: number, server: string): string {
  return `the server at ${server} answered in client-link version ${version}, which this client does not speak `
    + `(it speaks ${VERSION}..${VERSION} and offered them in its HELLO): the server broke the version rule `
    + "(docs/protocol.md, Versions); run a Baton server that chooses within the client's range";
}
