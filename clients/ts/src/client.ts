/**
 * BatonClient: one ClientCore run on the event loop, with real time, real timers and real transports. The
 * core decides; this file only carries out what its Outbox asks and reports back what happened, then
 * flushes the burst's frames and sets the one timer for the core's next deadline.
 */

import { type Frame, MAX_PAYLOAD } from "./codec.js";
import { ClientCore, defaultTiming, type LifecycleEvent, type Outbox } from "./core.js";
import { type Endpoint, parseEndpoint } from "./endpoint.js";
import { SessionLostError } from "./errors.js";
import { type Connection, type Connector, hasWebSocket, webSocketConnector } from "./transport.js";

export interface ConnectOptions {
  /** One output, exactly once and in order; `index` is its number (1, 2, 3...) in the session. */
  onMessage(bytes: Uint8Array, index: number): void;
  /** What happens underneath; never needed for correctness. */
  onLifecycle?(event: LifecycleEvent): void;
  /** Most payload bytes of inputs sent and not yet acknowledged; default 4 MiB. */
  sendBufferBytes?: number;
  /** How long to keep trying to get a lost connection back; default 30 000 ms. */
  resumeWindowMs?: number;
  /** tls:// only: PEM of the CA certificates to trust. */
  ca?: string;
}

const DEFAULT_SEND_BUFFER_BYTES = 4 * 1024 * 1024;
/** The window a switched session's old connection is closed in, after its switch (as the Java SDK). */
const RELEASE_MIN_MS = 50;
const RELEASE_MAX_MS = 300;

const now = (): number => performance.now();

let nodeConnector: Promise<Connector> | null = null;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/** Checks that the platform can carry `to`, before anything is opened. */
function checkUsable(to: Endpoint): void {
  if ((to.scheme === "tcp" || to.scheme === "tls") && !isNode()) {
    throw new TypeError(`cannot use ${to.url}: ${to.scheme}:// needs Node (node:net); in a browser use ws:// or wss://`);
  }
  if ((to.scheme === "ws" || to.scheme === "wss") && !hasWebSocket()) {
    throw new TypeError(`cannot use ${to.url}: this platform has no WebSocket (Node 20 needs --experimental-websocket); `
      + "in Node use tcp:// or tls://");
  }
}

export class BatonClient {
  private readonly core: ClientCore;
  private readonly conns = new Map<number, Connection>();
  private readonly outgoing = new Map<number, Frame[]>();
  private nextConn = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private flushQueued = false;
  private settle: { resolve(c: BatonClient): void; reject(e: Error): void } | null = null;
  /** Why the last connection ended, as its transport said: a lost session's error quotes it. */
  private lastConnectionError = "";

  /**
   * Opens a session: resolves once the server welcomed it, rejects with SessionLostError if it could not
   * be opened within the resume window, and throws a TypeError at once for a URL this platform cannot use.
   */
  static connect(url: string, options: ConnectOptions): Promise<BatonClient> {
    let client: BatonClient;
    try {
      const to = parseEndpoint(url);
      checkUsable(to);
      if (typeof options?.onMessage !== "function") {
        throw new TypeError("options.onMessage is required: (bytes: Uint8Array, index: number) => void");
      }
      client = new BatonClient(to, options);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      client.settle = { resolve, reject };
      client.core.start(now());
      client.afterBatch();
    });
  }

  private constructor(to: Endpoint, private readonly options: ConnectOptions) {
    const sendBufferBytes = options.sendBufferBytes ?? DEFAULT_SEND_BUFFER_BYTES;
    if (!(sendBufferBytes >= 1)) {
      throw new RangeError(`options.sendBufferBytes must be at least 1, was ${sendBufferBytes}`);
    }
    const resumeWindowMs = options.resumeWindowMs ?? 30_000;
    if (!(resumeWindowMs >= 0)) {
      throw new RangeError(`options.resumeWindowMs must not be negative, was ${resumeWindowMs}`);
    }
    this.core = new ClientCore(to, { timing: defaultTiming(resumeWindowMs), sendBufferBytes }, this.outbox());
  }

  /** Queues one input (see README: throws SendBufferFullError, RangeError, or Error once closed). */
  send(payload: Uint8Array): void {
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError("send takes a Uint8Array");
    }
    if (payload.length > MAX_PAYLOAD) {
      throw new RangeError(`payload of ${payload.length} bytes exceeds the maximum of ${MAX_PAYLOAD} `
        + "(a 1 MiB frame less INPUT's header); split it");
    }
    this.core.send(payload.slice(), now()); // a copy: the caller may reuse its buffer, we resend ours
    this.flushSoon();
  }

  /** Ends the session on the server and lets go of every connection. */
  close(): void {
    this.core.close(now());
    this.afterBatch();
  }

  get endpoint(): string { return this.core.endpoint; }
  get sessionId(): bigint { return this.core.sessionId; }
  get pendingInputs(): number { return this.core.pendingInputs; }
  get pendingBytes(): number { return this.core.pendingBytes; }
  get delivered(): number { return this.core.delivered; }
  get closed(): boolean { return this.core.closed; }

  // ------------------------------------------------------------------ the core's outbox

  private outbox(): Outbox {
    return {
      connect: (to) => this.open(to),
      send: (conn, frame) => {
        const q = this.outgoing.get(conn);
        if (q === undefined) {
          this.outgoing.set(conn, [frame]);
        } else {
          q.push(frame);
        }
      },
      close: (conn) => this.closeConn(conn),
      release: (conn) => {
        this.flushConn(conn);
        const delay = RELEASE_MIN_MS + Math.random() * (RELEASE_MAX_MS - RELEASE_MIN_MS);
        setTimeout(() => this.closeConn(conn), delay);
      },
      deliver: (payload, index) => {
        try {
          this.options.onMessage(payload, index);
        } catch (e) {
          console.error(`baton: onMessage threw on output ${index}; it counts as delivered`, e);
        }
      },
      event: (e) => {
        try {
          this.options.onLifecycle?.(e);
        } catch (err) {
          console.error("baton: onLifecycle threw", err);
        }
      },
      established: () => {
        this.settle?.resolve(this);
        this.settle = null;
      },
      lost: (reason) => {
        if (this.settle !== null) {
          const last = this.lastConnectionError === "" ? "" : ` (the last connection: ${this.lastConnectionError})`;
          const hint = this.core.sessionId !== 0n ? "" : this.endpoint.startsWith("tls:") || this.endpoint.startsWith("wss:")
            ? "; check that a Baton server listens there and that options.ca (or, in a browser, the browser) trusts its certificate"
            : "; check that a Baton server listens there";
          this.settle.reject(new SessionLostError(reason + last + hint));
        }
        this.settle = null;
      },
    };
  }

  private open(to: Endpoint): number {
    const id = this.nextConn++;
    const events = {
      open: () => {
        this.core.connected(id, now());
        this.afterBatch();
      },
      frames: (frames: Frame[]) => {
        const t = now();
        for (const f of frames) {
          this.core.frame(id, f, t);
        }
        this.afterBatch();
      },
      closed: (why: string) => {
        this.lastConnectionError = why;
        if (this.conns.delete(id)) {
          this.outgoing.delete(id);
          this.core.disconnected(id, now());
          this.afterBatch();
        }
      },
    };
    let connector: Connector | Promise<Connector>;
    if (to.scheme === "ws" || to.scheme === "wss") {
      connector = webSocketConnector;
    } else {
      nodeConnector ??= import("./node.js").then((m) => m.socketConnector);
      connector = nodeConnector;
    }
    // A placeholder until the transport exists: the core sends nothing before `open`, and a close before
    // then is remembered.
    let real: Connection | null = null;
    let closed = false;
    const handle: Connection = {
      write: (frames) => real?.write(frames),
      close: () => {
        closed = true;
        real?.close();
      },
    };
    this.conns.set(id, handle);
    const start = (c: Connector) => {
      if (closed) {
        return;
      }
      try {
        real = c(to, events, { ca: this.options.ca });
      } catch (e) {
        // Reported like any failed connect: the core retries.
        queueMicrotask(() => events.closed(`cannot open ${to.url}: ${String(e)}`));
      }
    };
    if (connector instanceof Promise) {
      connector.then(start, (e: unknown) => events.closed(`cannot load the tcp/tls transport: ${String(e)}`));
    } else {
      start(connector);
    }
    return id;
  }

  private flushConn(conn: number): void {
    const q = this.outgoing.get(conn);
    if (q !== undefined && q.length > 0) {
      this.outgoing.delete(conn);
      this.conns.get(conn)?.write(q);
    }
  }

  private closeConn(conn: number): void {
    const c = this.conns.get(conn);
    if (c === undefined) {
      return;
    }
    this.flushConn(conn);
    this.conns.delete(conn);
    this.outgoing.delete(conn);
    c.close();
  }

  /** Sends issued outside a read are flushed together once the current task ends. */
  private flushSoon(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.afterBatch();
      });
    }
  }

  /** End of a burst: acknowledgements, every frame queued, and the timer for the core's next deadline. */
  private afterBatch(): void {
    const t = now();
    this.core.flush(t);
    for (const conn of [...this.outgoing.keys()]) {
      this.flushConn(conn);
    }
    const deadline = this.core.nextDeadline();
    if (deadline === Number.POSITIVE_INFINITY) {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
      }
      return;
    }
    if (this.timer !== null && this.timerAt <= deadline) {
      return;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
    }
    this.timerAt = deadline;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.core.poll(now());
      this.afterBatch();
    }, Math.max(0, Math.ceil(deadline - t)));
  }
}
