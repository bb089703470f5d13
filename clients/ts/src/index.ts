/** The Baton TypeScript client SDK: see README.md for the API and what it promises. */
export { decodeMessage, encodeFrame, encodeMessage, StreamReader } from "./codec.js";
