// BatonClient, with its real timers and transports, against a small in-process Baton server (enough of
// the protocol for one session: HELLO NEW/RESUME, INPUT echoed as OUTPUT, ACK, PING, CLOSE) over each
// transport: tcp://, tls:// (a test CA in test/fixtures) and ws:// (a minimal WebSocket server below,
// one Baton frame per binary message without the length prefix). The browser bundle is checked too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { runInNewContext } from "node:vm";
import { decodeMessage, encodeFrame, encodeMessage, type Frame, HelloKind, StreamReader, Type } from "../src/codec.js";
import { BatonClient, SessionLostError } from "../src/index.js";

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");
const CA = fixture("ca.pem");

/** One session's worth of a Baton server: echoes every input, numbering outputs like a real one. */
class Session {
  applied = 0n;
  readonly outputs: Uint8Array[] = [];
  closed = false;
  hellos: HelloKind[] = [];

  /** Answers one frame; `reply` sends on the connection it came on. */
  handle(f: Frame, reply: (f: Frame) => void): void {
    switch (f.type) {
      case Type.HELLO:
        this.hellos.push(f.kind);
        reply({ type: Type.WELCOME, version: 2, sessionId: 7n,
          secret: f.kind === HelloKind.NEW ? new Uint8Array(16).fill(3) : new Uint8Array(16), inputAck: this.applied });
        this.outputs.slice(Number(f.outputAck)).forEach((p, i) =>
          reply({ type: Type.OUTPUT, seq: f.outputAck + BigInt(i) + 1n, ack: this.applied, payload: p }));
        break;
      case Type.INPUT:
        if (f.seq === this.applied + 1n) {
          this.applied = f.seq;
          this.outputs.push(f.payload);
          reply({ type: Type.OUTPUT, seq: BigInt(this.outputs.length), ack: this.applied, payload: f.payload });
        }
        break;
      case Type.PING: reply({ type: Type.PONG, value: f.value }); break;
      case Type.CLOSE: this.closed = true; break;
      default: break;
    }
  }
}

/** Serves a Session on a byte stream (TCP or TLS): length-prefixed frames. */
function streamServer(session: Session, s: Socket): void {
  const reader = new StreamReader();
  s.on("data", (chunk: Buffer) => {
    for (const f of reader.push(new Uint8Array(chunk))) {
      session.handle(f, (r) => s.write(encodeFrame(r)));
    }
  });
  s.on("error", () => s.destroy());
}

/**
 * The least of RFC 6455 a server needs for this test: the upgrade, and unfragmented binary messages from
 * the client (masked, as a client's must be) and to it (unmasked).
 */
function webSocketServer(session: Session, req: IncomingMessage, s: Socket): void {
  const accept = createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    .digest("base64");
  s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const send = (opcode: number, payload: Uint8Array) => {
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, n])
      : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
    s.write(Buffer.concat([head, payload]));
  };
  let buf = Buffer.alloc(0);
  s.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) {
        return;
      }
      const fin = buf[0]! & 0x80;
      const opcode = buf[0]! & 0x0f;
      let n = buf[1]! & 0x7f;
      let at = 2;
      if (n === 126) {
        if (buf.length < 4) return;
        n = buf.readUInt16BE(2);
        at = 4;
      } else if (n === 127) {
        if (buf.length < 10) return;
        n = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + 4 + n) {
        return;
      }
      assert.ok(fin && (buf[1]! & 0x80), "the client sends whole, masked messages");
      const mask = buf.subarray(at, at + 4);
      const payload = Buffer.from(buf.subarray(at + 4, at + 4 + n));
      for (let i = 0; i < n; i++) {
        payload[i]! ^= mask[i % 4]!;
      }
      buf = buf.subarray(at + 4 + n);
      if (opcode === 2) {
        session.handle(decodeMessage(new Uint8Array(payload)), (r) => send(2, encodeMessage(r)));
      } else if (opcode === 8) {
        send(8, new Uint8Array(0));
        s.end();
        return;
      } else if (opcode === 9) {
        send(10, payload);
      } else {
        s.destroy(new Error(`unexpected WebSocket opcode ${opcode}: Baton frames travel in binary messages`));
        return;
      }
    }
  });
  s.on("error", () => s.destroy());
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

/** Opens a client at `url`, sends 200 inputs, and checks the 200 echoes: once each, in order. */
async function roundTrip(url: string, session: Session, options: { ca?: string } = {}): Promise<void> {
  const got: number[] = [];
  const c = await BatonClient.connect(url, {
    ...options,
    onMessage: (bytes, index) => {
      assert.equal(bytes.length, 4);
      assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0), index);
      got.push(index);
    },
  });
  assert.equal(c.sessionId, 7n);
  assert.equal(c.endpoint, url);
  for (let i = 1; i <= 200; i++) {
    const p = new Uint8Array(4);
    new DataView(p.buffer).setUint32(0, i);
    c.send(p);
    p.fill(0xff); // the client keeps its own copy: reusing a buffer changes nothing that was sent
  }
  const end = Date.now() + 10_000;
  while ((got.length < 200 || c.pendingInputs > 0) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i + 1));
  assert.equal(c.pendingInputs, 0);
  c.close();
  const closeBy = Date.now() + 5_000;
  while (!session.closed && Date.now() < closeBy) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(session.closed, "the server got CLOSE");
  assert.deepEqual(session.hellos, [HelloKind.NEW]);
}

test("tcp://: a session opens, every input is echoed once and in order, close reaches the server", async () => {
  const session = new Session();
  const server = createNetServer((s) => streamServer(session, s));
  try {
    await roundTrip(`tcp://127.0.0.1:${await listen(server)}`, session);
  } finally {
    server.close();
  }
});

test("tls://: the same, trusting the server's CA given as options.ca", async () => {
  let session = new Session();
  const server = createTlsServer({ cert: fixture("server.pem"), key: fixture("server-key.pem"), minVersion: "TLSv1.3" },
    (s) => streamServer(session, s));
  try {
    const port = await listen(server);
    await roundTrip(`tls://127.0.0.1:${port}`, session, { ca: CA }); // checked against the IP address SAN
    session = new Session();
    await roundTrip(`tls://localhost:${port}`, session, { ca: CA }); // and against the DNS name SAN
  } finally {
    server.close();
  }
});

test("tls:// without the CA is refused, and connect rejects saying the certificate is not trusted", async () => {
  let accepted = 0;
  const server = createTlsServer({ cert: fixture("server.pem"), key: fixture("server-key.pem") }, (s) => {
    accepted++;
    s.destroy();
  });
  try {
    const port = await listen(server);
    await assert.rejects(BatonClient.connect(`tls://127.0.0.1:${port}`, { onMessage: () => {}, resumeWindowMs: 300 }),
      (e: unknown) => e instanceof SessionLostError && /could not open a session at tls:\/\/127.0.0.1:\d+ within 300 ms/.test(e.message)
        && /certificate/i.test(e.message));
    assert.equal(accepted, 0, "no connection got past the handshake");
  } finally {
    server.close();
  }
});

test("ws://: one Baton frame per binary message, without the length prefix", { skip: typeof WebSocket !== "function"
  ? "no globalThis.WebSocket in this Node (run-tests.mjs passes --experimental-websocket on Node 20)" : false }, async () => {
  const session = new Session();
  const server = createHttpServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, s: Socket) => webSocketServer(session, req, s));
  try {
    await roundTrip(`ws://127.0.0.1:${await listen(server)}/baton`, session);
  } finally {
    server.close();
  }
});

test("connect refuses a URL it cannot use, at once, saying what it accepts", async () => {
  await assert.rejects(BatonClient.connect("http://127.0.0.1:7000", { onMessage: () => {} }),
    (e: unknown) => e instanceof TypeError && /expected ws:\/\/host:port\/path/.test(e.message));
  await assert.rejects(BatonClient.connect("tcp://127.0.0.1", { onMessage: () => {} }), /needs a port/);
  await assert.rejects(BatonClient.connect("tcp://127.0.0.1:7000", {} as never), /onMessage is required/);
});

test("the browser bundle loads without Node and keeps node:net and node:tls out of its static imports", () => {
  const iife = readFileSync(new URL("../baton.iife.js", import.meta.url), "utf8");
  const esm = readFileSync(new URL("../baton.mjs", import.meta.url), "utf8");
  assert.doesNotMatch(esm, /^import .* from ["']node:/m, "no static node: import in the ESM bundle");
  const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, performance, queueMicrotask, setTimeout, clearTimeout,
    console, DataView, Uint8Array };
  runInNewContext(iife + "\nthis.Baton = Baton;", sandbox);
  const Baton = sandbox.Baton as { BatonClient: typeof BatonClient; SendBufferFullError: unknown };
  assert.equal(typeof Baton.BatonClient.connect, "function");
  assert.equal(typeof Baton.SendBufferFullError, "function");
  return assert.rejects(Baton.BatonClient.connect("tcp://127.0.0.1:7000", { onMessage: () => {} }),
    (e: unknown) => (e as Error).name === "TypeError" && /needs Node/.test((e as Error).message));
});

