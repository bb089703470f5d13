/** The Baton TypeScript client SDK: see README.md for the API and what it promises. */
export { BatonClient, type ConnectOptions } from "./client.js";
export { type LifecycleEvent, type LifecycleType } from "./core.js";
export { SendBufferFullError, SessionLostError } from "./errors.js";
