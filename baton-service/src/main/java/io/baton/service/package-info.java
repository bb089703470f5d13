/**
 * The service provider interface: what an application hosted by Baton implements.
 *
 * <p>A {@link io.baton.service.Service} is a deterministic state machine. The runtime feeds it ordered
 * events on one thread and supplies time and randomness, so that a replica fed the same snapshot and the
 * same events reaches the same state and emits the same outputs. That is what lets a handoff replay
 * instead of copy.
 */
package io.baton.service;
