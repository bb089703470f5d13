/**
 * The sans-I/O protocol core: client session, server sessions, and both sides of a handoff, as plain
 * state machines.
 *
 * <p>Nothing here opens a socket, starts a thread or reads a clock. Every entry point takes the current
 * time as an argument and answers through an outbox (frames to send, connections to open or close,
 * deliveries); timers are a deadline the driver asks for. Netty drives these classes in production and a
 * seeded simulator drives them in tests, which is why the same bugs show up in both.
 *
 * <p>{@link io.baton.core.ServerCore} is a façade over package-private rooms, one concern each (its class
 * javadoc lists them), whose timers are declared once in a {@code TimerTable}.
 */
package io.baton.core;
