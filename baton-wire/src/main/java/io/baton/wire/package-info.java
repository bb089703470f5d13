/**
 * The Baton wire protocol: every frame as a record whose javadoc draws its bytes, one codec that maps
 * records to bytes and back, and the Netty pieces both ends share: the handlers that frame a TCP stream
 * and the choice of transport (native epoll or NIO), with the event loops' scheduling ({@code SCHED_FIFO}
 * where asked for and allowed).
 *
 * <p>docs/protocol.md is the prose version of this package; {@link io.baton.wire.FrameType} holds every
 * type id in one place.
 */
package io.baton.wire;
