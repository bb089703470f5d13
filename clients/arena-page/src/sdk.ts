// The one place the page meets the TypeScript SDK (clients/ts, contract 4): bundled from its sources, so the
// page and the SDK it ships with are always the same build.
export { BatonClient, SendBufferFullError } from '../../ts/src/index';
export type { LifecycleEvent } from '../../ts/src/index';
