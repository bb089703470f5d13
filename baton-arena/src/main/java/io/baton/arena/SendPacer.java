package io.baton.arena;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Paces a fleet's moves: each bot sends once per period (rounded to whole milliseconds), at its own
 * phase, and one task a millisecond sends for every bot whose phase falls in that millisecond. With a
 * timer per bot, the fleet's scheduler threads woke for every single move, on the same two cores as the
 * servers being measured (docs/performance.md has the CPU before and after).
 */
final class SendPacer {

    static final long SLOT_NANOS = 1_000_000L;

    private final List<List<Runnable>> slots;
    private final long start;
    private long nextSlot;

    /** A pacer whose slots start at {@code start} (System.nanoTime); {@link #sendDue} is left to the caller. */
    SendPacer(double inputHz, long start) {
        long period = Math.max(SLOT_NANOS, Math.round(1e9 / inputHz));
        int n = (int) Math.max(1, period / SLOT_NANOS);
        slots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slots.add(new CopyOnWriteArrayList<>());
        }
        this.start = start;
    }

    /** A pacer that runs itself on {@code scheduler}, a slot a millisecond, from now, until the scheduler stops. */
    static SendPacer start(ScheduledExecutorService scheduler, double inputHz) {
        SendPacer p = new SendPacer(inputHz, System.nanoTime());
        scheduler.scheduleAtFixedRate(() -> p.sendDue(System.nanoTime()), SLOT_NANOS, SLOT_NANOS,
                TimeUnit.NANOSECONDS);
        return p;
    }

    /** From now on {@code send} runs once a period, in slot {@code phase} (taken modulo the slots). */
    void add(Runnable send, long phase) {
        slots.get((int) Math.floorMod(phase, (long) slots.size())).add(send);
    }

    int slotCount() {
        return slots.size();
    }

    /** Runs the sends of every slot whose time has come by {@code now}, in order, catching up after a late run. */
    void sendDue(long now) {
        long due = (now - start) / SLOT_NANOS;
        for (; nextSlot <= due; nextSlot++) {
            for (Runnable send : slots.get((int) (nextSlot % slots.size()))) {
                send.run();
            }
        }
    }
}
