/**
 * JMH micro-benchmarks of the hot paths: the frame codec and the server core's input-to-output path.
 * Run with {@code ./baton bench jmh} (any JMH options after it, e.g. {@code ./baton bench jmh -f 1 -wi 3 -i 5}).
 */
package io.baton.bench.jmh;
