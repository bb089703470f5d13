package io.baton.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Counts the bytes the current thread allocates on the heap, so that a target can hold the code under
 * test to a budget: what a stranger sends may cost memory in proportion to what it sent, never what a
 * length field of its choosing claims. The count is the JVM's own per-thread figure (TLAB accounting),
 * exact enough for budgets of kilobytes.
 */
final class AllocationMeter {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** Work that may throw what the code under test throws. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    private AllocationMeter() {
    }

    /** Bytes allocated by this thread so far. */
    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code work} and fails if it allocated more than {@code budget} bytes; whatever it throws is
     * thrown on after the check (a huge allocation that then failed is still a huge allocation). Work
     * over budget runs a second time before it fails: the first use of a class costs its loading (and,
     * while fuzzing, its instrumentation) once per JVM, which is not the code's doing; so {@code work}
     * must start afresh each time it is called.
     */
    static <T> T within(long budget, String what, Work<T> work) throws Exception {
        Outcome<T> first = measure(work);
        Outcome<T> judged = first.used() <= budget ? first : measure(work);
        if (judged.used() > budget) {
            throw new AssertionError(what + " allocated " + judged.used() + " bytes, over its budget of " + budget
                    + (judged.failure() == null ? "" : ", then threw " + judged.failure()), judged.failure());
        }
        return judged.result();
    }

    private static <T> Outcome<T> measure(Work<T> work) {
        long before = allocated();
        try {
            T value = work.run();
            return new Outcome<>(allocated() - before, value, null);
        } catch (Exception | Error e) {
            return new Outcome<>(allocated() - before, null, e);
        }
    }

    private record Outcome<T>(long used, T value, Throwable failure) {
        T result() throws Exception {
            if (failure instanceof Exception e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return value;
        }
    }
}
