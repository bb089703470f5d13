/**
 * The Netty plumbing both runtimes share: which event loop (native epoll, io_uring or NIO), its
 * scheduling ({@code SCHED_FIFO} where asked for and allowed), write batching, the clock of a burst,
 * Baton frames over WebSocket, and TLS ({@link io.baton.transport.Tls}).
 */
package io.baton.transport;
