/**
 * What runs several processes on one machine: a local cluster of servers and bots started with the product's
 * own commands, the faults ({@link io.baton.harness.Fault}) and the proxy that injects them, and the demo run
 * with its result; {@code ./baton demo}, {@code ./baton bench} and the system tests drive it.
 */
package io.baton.harness;
