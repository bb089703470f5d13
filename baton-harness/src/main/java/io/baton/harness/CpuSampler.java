package io.baton.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time each group of the demo's processes (source, target, the bot processes summed as "clients")
 * has used, sampled from the OS every 50 ms on a thread of the orchestrator, to tell what a handoff itself
 * costs ({@link HandoffCpu}).
 *
 * <p>Read from {@code /proc/PID/stat}, fields 14 and 15 (utime + stime): it counts every thread the process
 * ever had, including those that exited (the JVM starts and stops compiler threads as it needs them, and
 * a thread that exits takes its {@code /proc/PID/task/TID/schedstat} with it), and it is one read per
 * process per sample, so the sampling adds next to nothing on a machine whose two cores it shares with
 * what it measures (every task's schedstat of four JVMs would be hundreds of reads per sample). The kernel
 * keeps the sum to the nanosecond but prints it in clock ticks (USER_HZ, 100 per second on Linux): each
 * reading is truncated to 10 ms. Reading a child's {@code /proc} costs the child nothing.
 */
final class CpuSampler implements AutoCloseable {

    /** One clock tick of {@code /proc/PID/stat} (USER_HZ is 100 on every Linux architecture's user ABI). */
    static final long TICK_NANOS = 10_000_000;
    private static final long PERIOD_MILLIS = 50;

    /** A group's CPU time, in ns, at an instant (System.nanoTime); {@code cpuNanos} is -1 once any member died. */
    record Sample(long atNanos, long cpuNanos) {
        boolean alive() {
            return cpuNanos >= 0;
        }
    }

    private final Map<String, List<Long>> groups;
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** Starts sampling these groups of processes (name, pids), one sample at once and then every 50 ms. */
    CpuSampler(Map<String, List<Long>> groups) {
        this.groups = new LinkedHashMap<>(groups);
        for (String g : groups.keySet()) {
            samples.put(g, new ArrayList<>());
        }
        sampleNow();
        thread = new Thread(this::run, "baton-cpu-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(PERIOD_MILLIS); // the sampling period itself: not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
            sampleNow();
        }
    }

    /** Takes one sample of every group now (also called at the operator's command, for an exact boundary). */
    synchronized void sampleNow() {
        for (Map.Entry<String, List<Long>> g : groups.entrySet()) {
            List<Sample> s = samples.get(g.getKey());
            if (!s.isEmpty() && !s.get(s.size() - 1).alive()) {
                continue; // a member died: the group's figure ends there
            }
            long sum = 0;
            for (long pid : g.getValue()) {
                long ticks = cpuTicks(pid);
                if (ticks < 0) {
                    sum = -1;
                    break;
                }
                sum += ticks;
            }
            s.add(new Sample(System.nanoTime(), sum < 0 ? -1 : sum * TICK_NANOS));
        }
    }

    /** The samples of one group so far, in time order. */
    synchronized List<Sample> samples(String group) {
        return List.copyOf(samples.getOrDefault(group, List.of()));
    }

    /** Every group's samples so far, in the order the groups were given. */
    synchronized Map<String, List<Sample>> allSamples() {
        Map<String, List<Sample>> all = new LinkedHashMap<>();
        samples.forEach((g, s) -> all.put(g, List.copyOf(s)));
        return all;
    }

    /** utime + stime of a process in clock ticks, or -1 if it is gone (or a zombie, or this is not Linux). */
    static long cpuTicks(long pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * utime + stime from the text of a {@code /proc/PID/stat}, -1 for a zombie. The command name (field 2)
     * is in parentheses and may itself hold spaces and parentheses, so fields are counted after the last ')'.
     */
    static long parseStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3].
        if (f[0].equals("Z") || f[0].equals("X")) {
            return -1;
        }
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
