/**
 * The client link's frames and their bytes, as docs/protocol.md ("Framing", "Frame bodies") draws them and
 * baton-wire's FrameCodec writes them. A frame on TCP is [u32 length][u8 type][body], length counting the
 * type byte and the body; on a WebSocket one binary message carries [u8 type][body] (contract 3). Every
 * integer is big-endian; this is client-link version 4 (HELLO carries the range the client speaks, WELCOME
 * the version the server chose; MOVE and TARGET_HINT end with the target's WebSocket URL, empty for none);
 * every u64 is a bigint here, so that a session id or a ping value round-trips
 * exactly whatever its size.
 *
 * Only the client link's types (0x01-0x10) are known: a peer-link type on a client connection is as
 * malformed as an unknown one.
 */

/** The client-link version this SDK speaks: its range is 4..4, sent in every HELLO (docs/protocol.md, Versions). */
export const VERSION = 4;
/** Largest `length` (type byte + body) on the client link: 1 MiB. */
export const MAX_FRAME = 1 << 20;
/** Largest INPUT payload: a frame's maximum less INPUT's type byte and 16-byte header. */
export const MAX_PAYLOAD = MAX_FRAME - 17;
const LENGTH_FIELD = 4;
const TOKEN = 16;
const MAC = 32;
const MAX_STRING = 4096;

/** Frame type ids (docs/protocol.md "Frame types"). */
export const Type = {
  HELLO: 0x01, WELCOME: 0x02, INPUT: 0x03, OUTPUT: 0x04, ACK: 0x05, MOVE: 0x06, ATTACHED: 0x07,
  SWITCH: 0x08, MOVE_ABORTED: 0x09, PING: 0x0a, PONG: 0x0b, CLOSE: 0x0c, ERROR: 0x0d, TARGET_HINT: 0x0e,
  PROBE: 0x0f, PROBE_PROOF: 0x10,
} as const;

export enum HelloKind { NEW = 0, RESUME = 1, ATTACH = 2 }

/** Error codes (docs/protocol.md, the table under "Error codes"); an unknown code reads as PROTOCOL_VIOLATION. */
export enum ErrorCode {
  MALFORMED_FRAME = 1, FRAME_TOO_LARGE = 2, UNSUPPORTED_VERSION = 3, BAD_TICKET = 4, TICKET_REUSED = 5,
  TICKET_EXPIRED = 6, UNKNOWN_SESSION = 7, NOT_AUTHORITY = 8, PROTOCOL_VIOLATION = 9, AUTH_FAILED = 10,
  BUSY = 11, SESSION_CLOSED = 12, HELLO_TIMEOUT = 13, IDLE_TIMEOUT = 14, SESSIONS_FULL = 15,
  ADDRESS_FULL = 16, HELLO_RATE = 17, INPUT_TOO_LARGE = 18, SHUTTING_DOWN = 19,
}

export type Frame =
  | { type: typeof Type.HELLO; minVersion: number; maxVersion: number; kind: HelloKind; sessionId: bigint; token: Uint8Array;
      outputAck: bigint }
  // tickHz is in version 5 (the test version, which this SDK does not speak) only
  | { type: typeof Type.WELCOME; version: number; sessionId: bigint; secret: Uint8Array; inputAck: bigint; tickHz?: number }
  | { type: typeof Type.INPUT; seq: bigint; ack: bigint; payload: Uint8Array }
  | { type: typeof Type.OUTPUT; seq: bigint; ack: bigint; payload: Uint8Array }
  | { type: typeof Type.ACK; ack: bigint }
  | { type: typeof Type.MOVE; handoffId: bigint; ticket: Uint8Array; host: string; port: number; webSocket: string }
  | { type: typeof Type.ATTACHED; handoffId: bigint }
  | { type: typeof Type.SWITCH; handoffId: bigint; lastOutputSeq: bigint }
  | { type: typeof Type.MOVE_ABORTED; handoffId: bigint }
  | { type: typeof Type.PING; value: bigint }
  | { type: typeof Type.PONG; value: bigint }
  | { type: typeof Type.CLOSE }
  | { type: typeof Type.ERROR; code: ErrorCode; message: string }
  | { type: typeof Type.TARGET_HINT; host: string; port: number; webSocket: string }
  | { type: typeof Type.PROBE; handoffId: bigint; nonce: Uint8Array }
  | { type: typeof Type.PROBE_PROOF; handoffId: bigint; mac: Uint8Array };

/** Bytes that do not parse, with the error code a server would answer them with. */
export class ProtocolError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(Type).map(([k, v]) => [v, k]));

/** The name of a type id, for messages. */
export function typeName(type: number): string {
  return NAMES[type] ?? "0x" + type.toString(16).padStart(2, "0");
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Grows as fields are appended; big-endian throughout. */
class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      bigger.set(this.buf.subarray(0, this.length));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  // Each writer takes its room before it touches this.buf or this.view: room() may replace both.
  u8(v: number): void { const at = this.room(1); this.view.setUint8(at, v); }
  u16(v: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new RangeError(`${field} must fit 16 bits unsigned, was ${v}`);
    }
    const at = this.room(2);
    this.view.setUint16(at, v);
  }
  u32(v: number): void { const at = this.room(4); this.view.setUint32(at, v); }
  u64(v: bigint, field: string): void {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) {
      throw new RangeError(`${field} must fit 64 bits unsigned, was ${v}`);
    }
    const at = this.room(8);
    this.view.setBigUint64(at, v);
  }
  token(t: Uint8Array | null, n: number, field: string): void {
    const at = this.room(n);
    if (t === null) {
      this.buf.fill(0, at, at + n);
    } else if (t.length !== n) {
      throw new RangeError(`${field} must be ${n} bytes, was ${t.length}`);
    } else {
      this.buf.set(t, at);
    }
  }
  str(s: string, field: string): void {
    const b = utf8.encode(s);
    if (b.length > MAX_STRING) {
      throw new RangeError(`${field} is ${b.length} bytes of UTF-8, over the limit of ${MAX_STRING}`);
    }
    this.u16(b.length, field);
    this.bytes(b);
  }
  bytes(b: Uint8Array): void {
    const at = this.room(b.length); // first: room() may replace this.buf
    this.buf.set(b, at);
  }
  patchU32(at: number, v: number): void { this.view.setUint32(at, v); }
  done(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** Reads a body front to back; every read checks that the bytes are there. */
class Reader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly body: Uint8Array, private readonly type: number) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  private need(n: number): number {
    if (this.at + n > this.body.length) {
      throw new ProtocolError(ErrorCode.MALFORMED_FRAME,
        `${typeName(this.type)} body of ${this.body.length} bytes is too short (needs ${this.at + n})`);
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(): number { return this.view.getUint8(this.need(1)); }
  u16(): number { return this.view.getUint16(this.need(2)); }
  u64(): bigint { return this.view.getBigUint64(this.need(8)); }
  token(n: number): Uint8Array { const at = this.need(n); return this.body.slice(at, at + n); }
  str(): string {
    const n = this.u16();
    if (n > MAX_STRING) {
      throw new ProtocolError(ErrorCode.MALFORMED_FRAME, `${typeName(this.type)} string of ${n} bytes`);
    }
    const at = this.need(n);
    try {
      return strictUtf8.decode(this.body.subarray(at, at + n));
    } catch {
      throw new ProtocolError(ErrorCode.MALFORMED_FRAME, `${typeName(this.type)} string is not UTF-8`);
    }
  }
  rest(): Uint8Array { const at = this.at; this.at = this.body.length; return this.body.slice(at); }
  end(): void {
    if (this.at !== this.body.length) {
      throw new ProtocolError(ErrorCode.MALFORMED_FRAME,
        `${typeName(this.type)} has ${this.body.length - this.at} trailing bytes`);
    }
  }
}

function writeBody(f: Frame, w: Writer): void {
  switch (f.type) {
    case Type.HELLO:
      if (f.minVersion < 4 || f.maxVersion < f.minVersion || f.maxVersion > 0xff) {
        throw new RangeError(`a HELLO's version range is min..max with 4 <= min <= max <= 255, was ${f.minVersion}..${f.maxVersion}`);
      }
      w.u8(f.minVersion); w.u8(f.maxVersion); w.u8(f.kind); w.u64(f.sessionId, "session");
      w.token(f.token, TOKEN, "token"); w.u64(f.outputAck, "outputAck"); break;
    case Type.WELCOME:
      w.u16(f.version, "version"); w.u64(f.sessionId, "session"); w.token(f.secret, TOKEN, "secret");
      w.u64(f.inputAck, "inputAck");
      if (f.version >= 5) {
        w.u16(f.tickHz ?? 0, "tickHz");
      }
      break;
    case Type.INPUT:
    case Type.OUTPUT:
      w.u64(f.seq, "seq"); w.u64(f.ack, "ack"); w.bytes(f.payload); break;
    case Type.ACK: w.u64(f.ack, "ack"); break;
    case Type.MOVE:
      w.u64(f.handoffId, "handoff"); w.token(f.ticket, TOKEN, "ticket"); w.str(f.host, "host");
      w.u16(f.port, "port"); w.str(f.webSocket, "webSocket"); break;
    case Type.ATTACHED:
    case Type.MOVE_ABORTED: w.u64(f.handoffId, "handoff"); break;
    case Type.SWITCH: w.u64(f.handoffId, "handoff"); w.u64(f.lastOutputSeq, "lastOutputSeq"); break;
    case Type.PING:
    case Type.PONG: w.u64(f.value, "value"); break;
    case Type.CLOSE: break;
    case Type.ERROR: w.u16(f.code, "code"); w.str(f.message, "message"); break;
    case Type.TARGET_HINT: w.str(f.host, "host"); w.u16(f.port, "port"); w.str(f.webSocket, "webSocket"); break;
    case Type.PROBE: w.u64(f.handoffId, "handoff"); w.token(f.nonce, TOKEN, "nonce"); break;
    case Type.PROBE_PROOF: w.u64(f.handoffId, "handoff"); w.token(f.mac, MAC, "mac"); break;
  }
}

/** [u8 type][body]: one WebSocket message, or a TCP frame without its length prefix. */
export function encodeMessage(f: Frame): Uint8Array {
  const w = new Writer();
  w.u8(f.type);
  writeBody(f, w);
  if (w.length > MAX_FRAME) {
    throw new RangeError(`${typeName(f.type)} of ${w.length} bytes exceeds the maximum frame of ${MAX_FRAME}`);
  }
  return w.done();
}

/** [u32 length][u8 type][body]: one frame on a TCP stream. */
export function encodeFrame(f: Frame): Uint8Array {
  const w = new Writer();
  w.u32(0);
  w.u8(f.type);
  writeBody(f, w);
  const length = w.length - LENGTH_FIELD;
  if (length > MAX_FRAME) {
    throw new RangeError(`${typeName(f.type)} of ${length} bytes exceeds the maximum frame of ${MAX_FRAME}`);
  }
  w.patchU32(0, length);
  return w.done();
}

function helloKind(v: number): HelloKind {
  if (v > HelloKind.ATTACH) {
    throw new ProtocolError(ErrorCode.MALFORMED_FRAME, `HELLO kind ${v} is not NEW, RESUME or ATTACH`);
  }
  return v as HelloKind;
}

function errorCode(v: number): ErrorCode {
  return ErrorCode[v] === undefined ? ErrorCode.PROTOCOL_VIOLATION : (v as ErrorCode);
}

/** Decodes [u8 type][body] (a WebSocket message); the body must be consumed exactly. */
export function decodeMessage(message: Uint8Array): Frame {
  if (message.length < 1) {
    throw new ProtocolError(ErrorCode.MALFORMED_FRAME, "an empty message carries no frame type");
  }
  if (message.length > MAX_FRAME) {
    throw new ProtocolError(ErrorCode.FRAME_TOO_LARGE, `frame length ${message.length} outside 1..${MAX_FRAME}`);
  }
  const type = message[0]!;
  const r = new Reader(message.subarray(1), type);
  let f: Frame;
  switch (type) {
    case Type.HELLO: {
      // [u8 min][u8 max]; a first byte 0 is a build before ranges, whose bytes 0-1 were its u16 version (1..3)
      const min = r.u8();
      const max = r.u8();
      if (min === 0 ? max < 1 || max > 3 : min < 4 || max < min) {
        throw new ProtocolError(ErrorCode.MALFORMED_FRAME, `HELLO carries the versions ${min}..${max}: a range starts at 4 `
          + "or above, and a first byte 0 is a build before ranges, whose one version was 1..3");
      }
      f = { type, minVersion: min === 0 ? max : min, maxVersion: max, kind: helloKind(r.u8()), sessionId: r.u64(),
        token: r.token(TOKEN), outputAck: r.u64() };
      break;
    }
    case Type.WELCOME: {
      const version = r.u16();
      if (version > 5) {
        throw new ProtocolError(ErrorCode.MALFORMED_FRAME, `WELCOME in client-link version ${version}, whose layout `
          + "this SDK does not know");
      }
      const w = { type, version, sessionId: r.u64(), secret: r.token(TOKEN), inputAck: r.u64() };
      f = version >= 5 ? { ...w, tickHz: r.u16() } : w;
      break;
    }
    case Type.INPUT:
    case Type.OUTPUT:
      f = { type, seq: r.u64(), ack: r.u64(), payload: r.rest() };
      break;
    case Type.ACK: f = { type, ack: r.u64() }; break;
    case Type.MOVE:
      f = { type, handoffId: r.u64(), ticket: r.token(TOKEN), host: r.str(), port: r.u16(), webSocket: r.str() };
      break;
    case Type.ATTACHED:
    case Type.MOVE_ABORTED: f = { type, handoffId: r.u64() }; break;
    case Type.SWITCH: f = { type, handoffId: r.u64(), lastOutputSeq: r.u64() }; break;
    case Type.PING:
    case Type.PONG: f = { type, value: r.u64() }; break;
    case Type.CLOSE: f = { type }; break;
    case Type.ERROR: f = { type, code: errorCode(r.u16()), message: r.str() }; break;
    case Type.TARGET_HINT: f = { type, host: r.str(), port: r.u16(), webSocket: r.str() }; break;
    case Type.PROBE: f = { type, handoffId: r.u64(), nonce: r.token(TOKEN) }; break;
    case Type.PROBE_PROOF: f = { type, handoffId: r.u64(), mac: r.token(MAC) }; break;
    default:
      throw new ProtocolError(ErrorCode.MALFORMED_FRAME, `unknown frame type ${typeName(type)} on the client link`);
  }
  r.end();
  return f;
}

/**
 * Cuts a TCP byte stream into frames. The length is checked before the body is waited for or kept, so a
 * peer cannot make it hold more than one maximum frame; after a bad length it stays failed (the
 * connection must be closed: nothing after it can be trusted to be a frame boundary).
 */
export class StreamReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failed: ProtocolError | null = null;

  /** Adds bytes and returns every complete frame now available, in order; throws ProtocolError on bad bytes. */
  push(bytes: Uint8Array): Frame[] {
    if (this.failed) {
      throw this.failed;
    }
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    const frames: Frame[] = [];
    try {
      for (;;) {
        if (this.buffered < LENGTH_FIELD) {
          break;
        }
        const head = this.peek(LENGTH_FIELD);
        const length = new DataView(head.buffer, head.byteOffset, LENGTH_FIELD).getUint32(0);
        if (length < 1 || length > MAX_FRAME) {
          throw new ProtocolError(length < 1 ? ErrorCode.MALFORMED_FRAME : ErrorCode.FRAME_TOO_LARGE,
            `frame length ${length} outside 1..${MAX_FRAME}`);
        }
        if (this.buffered < LENGTH_FIELD + length) {
          break;
        }
        const whole = this.take(LENGTH_FIELD + length);
        frames.push(decodeMessage(whole.subarray(LENGTH_FIELD)));
      }
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.failed = e;
      }
      throw e;
    }
    return frames;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      return first.subarray(0, n);
    }
    this.chunks = [this.concat(this.buffered)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) {
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(n);
      }
    } else {
      const all = this.concat(this.buffered);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }

  private concat(n: number): Uint8Array {
    const all = new Uint8Array(n);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  }
}
