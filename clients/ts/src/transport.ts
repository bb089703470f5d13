/**
 * Transports: how one connection of a session is carried. The client asks for a connection to an endpoint
 * and gets its events back; a transport knows bytes and frames, nothing of sessions. The WebSocket one
 * lives here (the platform's WebSocket: browsers, Node 22+); tcp:// and tls:// are in node.ts, loaded only
 * when used.
 */

import { decodeMessage, encodeMessage, type Frame } from "./codec.js";
import type { Endpoint } from "./endpoint.js";

/** What a connection reports, each at most once except `frames`; nothing after `closed`. */
export interface ConnectionEvents {
  open(): void;
  /** One read's worth of frames, in order. */
  frames(frames: Frame[]): void;
  /** The connection is gone (or never opened); `why` is for logs. */
  closed(why: string): void;
}

export interface Connection {
  /** Writes the frames in order, as one write where the transport can. Ignored once closed. */
  write(frames: Frame[]): void;
  /** Closes after what was written has gone; no event follows. */
  close(): void;
}

export interface TransportOptions {
  /** tls:// only: PEM of the CA certificates to trust. */
  ca?: string | undefined;
}

export type Connector = (to: Endpoint, events: ConnectionEvents, options: TransportOptions) => Connection;

/** Whether the platform has a WebSocket (browsers; Node 22+, or Node 20 with --experimental-websocket). */
export function hasWebSocket(): boolean {
  return typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function";
}

/** One Baton frame per binary message, without the length prefix (docs/protocol.md "WebSocket"). */
export const webSocketConnector: Connector = (to, events) => {
  let done = false;
  const finish = (why: string) => {
    if (!done) {
      done = true;
      events.closed(why);
    }
  };
  const ws = new WebSocket(to.url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => {
    if (!done) {
      events.open();
    }
  };
  ws.onmessage = (m: MessageEvent) => {
    if (done) {
      return;
    }
    if (!(m.data instanceof ArrayBuffer)) {
      finish(`${to.url} sent a text message; Baton frames travel in binary messages`);
      ws.close();
      return;
    }
    let frame: Frame;
    try {
      frame = decodeMessage(new Uint8Array(m.data));
    } catch (e) {
      finish(`${to.url} sent a bad frame: ${(e as Error).message}`);
      ws.close();
      return;
    }
    events.frames([frame]);
  };
  ws.onerror = () => finish(`WebSocket to ${to.url} failed`);
  ws.onclose = (c: CloseEvent) => finish(`WebSocket to ${to.url} closed (${c.code}${c.reason ? " " + c.reason : ""})`);
  return {
    write(frames) {
      if (done || ws.readyState !== WebSocket.OPEN) {
        return;
      }
      for (const f of frames) {
        ws.send(encodeMessage(f));
      }
    },
    close() {
      done = true;
      ws.close();
    },
  };
};
