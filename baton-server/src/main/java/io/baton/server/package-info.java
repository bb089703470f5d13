/**
 * The Baton server runtime: Netty drives a {@link io.baton.core.ServerCore} on one event loop, on three
 * ports (clients, the peer link, the operator's admin API with its health probes and Prometheus metrics).
 *
 * <p>{@link io.baton.server.BatonServer} is the API; everything else here is package-private plumbing.
 */
package io.baton.server;
