/** The SDK's errors: both are conditions an application handles, so both have a name to test for. */

/**
 * `send` refused an input: the unacknowledged inputs and this one would hold more payload bytes than
 * `sendBufferBytes`. Nothing was queued; the server is slow or out of reach. Retry once `pendingBytes`
 * falls, or shed load.
 */
export class SendBufferFullError extends Error {
  override readonly name = "SendBufferFull";

  constructor(readonly limitBytes: number, readonly pendingBytes: number, payloadBytes: number) {
    super(`send buffer full: ${pendingBytes} bytes of inputs wait for the server's acknowledgement, and `
      + `${payloadBytes} more would pass the limit of ${limitBytes} (sendBufferBytes); nothing was queued: `
      + "retry once pendingBytes falls, or send less");
  }
}

/** The session could not be opened or resumed; the message says why (refused, expired, unreachable). */
export class SessionLostError extends Error {
  override readonly name = "SessionLost";
}
