/**
 * tcp:// and tls:// through node:net and node:tls: length-prefixed frames on a byte stream. Both modules
 * are imported dynamically, inside the connector, so that a bundle for the browser references them only in
 * a code path a browser never takes.
 */

import { encodeFrame, type Frame, StreamReader } from "./codec.js";
import type { Connector } from "./transport.js";

type Socket = import("node:net").Socket;

export const socketConnector: Connector = (to, events, options) => {
  let socket: Socket | null = null;
  let done = false;
  let closeWanted = false;
  const finish = (why: string) => {
    if (!done) {
      done = true;
      events.closed(why);
    }
  };
  const reader = new StreamReader();
  const open = async (): Promise<void> => {
    const net = await import("node:net");
    let s: Socket;
    if (to.scheme === "tls") {
      const tls = await import("node:tls");
      s = tls.connect({ host: to.host, port: to.port, ca: options.ca, servername: net.isIP(to.host) ? undefined : to.host });
      s.once("secureConnect", () => opened());
    } else {
      s = net.connect({ host: to.host, port: to.port });
      s.once("connect", () => opened());
    }
    socket = s;
    s.setNoDelay(true);
    if (closeWanted) {
      s.destroy();
      return;
    }
    s.on("data", (chunk: Uint8Array) => {
      if (done) {
        return;
      }
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        finish(`${to.url} sent bytes that are not frames: ${(e as Error).message}`);
        s.destroy();
        return;
      }
      if (frames.length > 0) {
        events.frames(frames);
      }
    });
    s.on("error", (e: Error) => finish(`connection to ${to.url} failed: ${e.message}`));
    s.on("close", () => finish(`connection to ${to.url} closed`));
  };
  const opened = () => {
    if (!done && !closeWanted) {
      events.open();
    }
  };
  open().catch((e: unknown) => finish(`cannot open ${to.url}: ${(e as Error).message}`));
  return {
    write(frames) {
      if (done || socket === null || frames.length === 0) {
        return;
      }
      const parts = frames.map(encodeFrame);
      let n = 0;
      for (const p of parts) {
        n += p.length;
      }
      const all = new Uint8Array(n);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      socket.write(all);
    },
    close() {
      done = true;
      closeWanted = true;
      if (socket !== null) {
        // end() sends what was written, then FIN; destroy after a moment in case the peer never closes.
        const s = socket;
        s.end();
        setTimeout(() => s.destroy(), 2_000).unref();
      }
    },
  };
};
