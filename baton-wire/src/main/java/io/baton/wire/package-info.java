/**
 * The Baton wire protocol: every frame as a record whose javadoc draws its bytes and names each field's
 * offset, one codec that maps records to bytes and back, and the Netty handlers that frame a TCP stream.
 * No event loop, no native transport: baton-transport chooses those for the runtimes.
 *
 * <p>docs/protocol.md is the prose version of this package; {@link io.baton.wire.FrameType} holds every
 * type id in one place.
 */
package io.baton.wire;
