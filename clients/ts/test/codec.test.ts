// The codec against bytes it did not make: vectors written by baton-wire's FrameCodec
// (test/vectors/GenerateVectors.java) and the byte-exact examples of docs/protocol.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeMessage, encodeFrame, encodeMessage, ErrorCode, type Frame, MAX_FRAME, ProtocolError, StreamReader,
  Type } from "../src/codec.js";

interface Vector { name: string; frame: Record<string, unknown>; hex: string }

const vectors: Vector[] = JSON.parse(readFileSync(new URL("../../test/vectors/frames.json", import.meta.url), "utf8"));
const BYTE_FIELDS = new Set(["token", "secret", "ticket", "nonce", "mac", "payload"]);
const U64_FIELDS = new Set(["sessionId", "outputAck", "inputAck", "seq", "ack", "handoffId", "lastOutputSeq", "value"]);

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

/** The vector's fields as the codec's Frame: u64 from decimal strings, bytes from hex. */
function frameOf(v: Vector): Frame {
  const f: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v.frame)) {
    f[k] = BYTE_FIELDS.has(k) ? unhex(val as string) : U64_FIELDS.has(k) ? BigInt(val as string) : val;
  }
  return f as unknown as Frame;
}

test("every client-link frame type has a vector from the Java codec", () => {
  const types = new Set(vectors.map((v) => v.frame.type));
  for (const t of Object.values(Type)) {
    assert.ok(types.has(t), `no vector for type ${t}`);
  }
});

for (const v of vectors) {
  test(`encodes ${v.name} to the Java codec's bytes`, () => {
    assert.equal(hex(encodeFrame(frameOf(v))), v.hex);
  });
  test(`decodes ${v.name} from the Java codec's bytes`, () => {
    const bytes = unhex(v.hex);
    assert.deepEqual(decodeMessage(bytes.subarray(4)), frameOf(v));
    assert.deepEqual(new StreamReader().push(bytes), [frameOf(v)]);
  });
}

test("docs/protocol.md byte-exact examples: HELLO NEW (versions 4..4) and INPUT seq 7", () => {
  const hello = unhex(`00 00 00 24  01  04 04  00  00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00`);
  assert.equal(hello.length, 40);
  assert.deepEqual(encodeFrame({ type: Type.HELLO, minVersion: 4, maxVersion: 4, kind: 0, sessionId: 0n, token: new Uint8Array(16),
    outputAck: 0n }), hello);
  const input = unhex("00 00 00 13  03  00 00 00 00 00 00 00 07  00 00 00 00 00 00 00 03  AA BB");
  assert.equal(input.length, 23);
  assert.deepEqual(encodeFrame({ type: Type.INPUT, seq: 7n, ack: 3n, payload: new Uint8Array([0xaa, 0xbb]) }), input);
});

test("a WebSocket message is the frame without its length prefix", () => {
  for (const v of vectors) {
    assert.equal(hex(encodeMessage(frameOf(v))), v.hex.slice(8), v.name);
  }
});

function malformed(bytes: Uint8Array, code: ErrorCode, pattern: RegExp): void {
  assert.throws(() => decodeMessage(bytes), (e: unknown) => e instanceof ProtocolError && e.code === code
    && pattern.test(e.message));
}

test("rejects trailing bytes, short bodies, unknown and peer-link types, bad enums, bad UTF-8", () => {
  malformed(unhex("05 0000000000000001 00"), ErrorCode.MALFORMED_FRAME, /ACK has 1 trailing bytes/);
  malformed(unhex("05 00000000000001"), ErrorCode.MALFORMED_FRAME, /ACK body of 7 bytes is too short/);
  malformed(unhex("20"), ErrorCode.MALFORMED_FRAME, /unknown frame type 0x20/);
  malformed(unhex("7f"), ErrorCode.MALFORMED_FRAME, /unknown frame type 0x7f/);
  malformed(unhex("01 0404 03" + "00".repeat(32)), ErrorCode.MALFORMED_FRAME, /HELLO kind 3/);
  // a first byte 0 is a build before ranges (1..3 only); a range starts at 4 and ends at or above its start
  malformed(unhex("01 0000 00" + "00".repeat(32)), ErrorCode.MALFORMED_FRAME, /versions 0..0/);
  malformed(unhex("01 0305 00" + "00".repeat(32)), ErrorCode.MALFORMED_FRAME, /versions 3..5/);
  malformed(unhex("01 0504 00" + "00".repeat(32)), ErrorCode.MALFORMED_FRAME, /versions 5..4/);
  malformed(unhex("02 0006" + "00".repeat(34)), ErrorCode.MALFORMED_FRAME, /version 6/);
  malformed(unhex("0e 0002 c328 1b58 0000"), ErrorCode.MALFORMED_FRAME, /TARGET_HINT string is not UTF-8/);
  malformed(unhex("0e 0001 68 1b58"), ErrorCode.MALFORMED_FRAME, /TARGET_HINT body of 5 bytes is too short/);
  malformed(unhex("0e 1001"), ErrorCode.MALFORMED_FRAME, /string of 4097 bytes/);
  malformed(new Uint8Array(0), ErrorCode.MALFORMED_FRAME, /empty message/);
});

test("an unknown error code reads as PROTOCOL_VIOLATION", () => {
  const f = decodeMessage(unhex("0d 03e7 0002 6869"));
  assert.deepEqual(f, { type: Type.ERROR, code: ErrorCode.PROTOCOL_VIOLATION, message: "hi" });
});

test("the stream reader rejects a length of 0 or above 1 MiB before the body arrives, and stays failed", () => {
  const zero = new StreamReader();
  assert.throws(() => zero.push(unhex("00000000")), (e: unknown) => e instanceof ProtocolError
    && e.code === ErrorCode.MALFORMED_FRAME);
  assert.throws(() => zero.push(unhex("0000000105")), ProtocolError);
  const big = new StreamReader();
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, MAX_FRAME + 1);
  assert.throws(() => big.push(length), (e: unknown) => e instanceof ProtocolError && e.code === ErrorCode.FRAME_TOO_LARGE);
  const max = new StreamReader();
  new DataView(length.buffer).setUint32(0, MAX_FRAME);
  assert.deepEqual(max.push(length), []); // the largest allowed length waits for its body
});

test("the stream reader finds the same frames however the bytes are cut", () => {
  const all = Buffer.concat(vectors.map((v) => unhex(v.hex)));
  const expected = vectors.map(frameOf);
  for (const step of [1, 2, 3, 5, 7, 40, 1000]) {
    const r = new StreamReader();
    const got: Frame[] = [];
    for (let at = 0; at < all.length; at += step) {
      got.push(...r.push(new Uint8Array(all.subarray(at, at + step))));
    }
    assert.deepEqual(got, expected, `cut every ${step} bytes`);
  }
});

test("encoding refuses values that do not fit their fields", () => {
  assert.throws(() => encodeFrame({ type: Type.ACK, ack: -1n }), /ack must fit 64 bits/);
  assert.throws(() => encodeFrame({ type: Type.TARGET_HINT, host: "h", port: 70000, webSocket: "" }), /port must fit 16 bits/);
  assert.throws(() => encodeFrame({ type: Type.MOVE, handoffId: 1n, ticket: new Uint8Array(3), host: "h", port: 1, webSocket: "" }),
    /ticket must be 16 bytes/);
  assert.throws(() => encodeFrame({ type: Type.INPUT, seq: 1n, ack: 0n, payload: new Uint8Array(MAX_FRAME - 16) }),
    /exceeds the maximum frame/);
});
