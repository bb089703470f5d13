/**
 * A seeded, deterministic simulator that runs the real protocol core (not a model of it): servers and
 * clients on a virtual clock, talking over a virtual network of TCP-like connections, driven from one
 * thread. The same seed gives the same run, so any failure replays from its seed alone.
 */
package io.baton.sim;
