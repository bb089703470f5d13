/**
 * The {@code ./baton} command: serve, handoff, status, bots, demo, sim, bench. Each subcommand is one class that
 * parses its options; the demo and the handoff benchmark hand them to {@code io.baton.harness}.
 */
package io.baton.cli;
