/**
 * The {@code ./baton} command: serve, handoff, status, bots, demo. Each subcommand is one class; the demo
 * orchestrates real server processes with the same commands an operator would use.
 */
package io.baton.cli;
