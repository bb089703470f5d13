/**
 * Arena, the reference service Baton hosts: a deterministic multiplayer game with copy-on-write snapshots.
 * Also its bots, which play it over real sessions and verify every input and every tick end to end.
 */
package io.baton.arena;
