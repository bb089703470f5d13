/**
 * The Baton client SDK: a connection to a Baton server that survives handoffs and reconnects.
 *
 * <p>Use {@link io.baton.client.BatonClient} like an ordinary message connection: connect, send, receive,
 * close. Underneath, every input and output is numbered, acknowledged and resent when needed, and the
 * client follows its session from the source server to the target without the application noticing.
 * Only the public types here are API; the driver that runs the protocol core on Netty is package-private.
 */
package io.baton.client;
