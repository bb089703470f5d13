/**
 * Benchmarks that put Baton next to what it replaces, measured in the same run on the same machine:
 * {@link io.baton.bench.Throughput} (messages per second through a Baton session against a plain Netty
 * length-framed echo) and the {@code echo} service it needs. Run them with {@code ./baton bench}.
 */
package io.baton.bench;
