package io.baton.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Puts the calling thread under Linux's {@code SCHED_FIFO} policy, so that it runs the moment it wakes,
 * ahead of every thread of the normal scheduler (compilers, collectors, other processes' work), whatever
 * their nice values. Meant for event loops that carry a tick's reads and writes: they sleep in
 * {@code epoll_wait} most of the time and run in bursts of a millisecond or two.
 *
 * <p>Java has no call for it, so the thread asks {@code chrt} (util-linux) to change it by its thread id,
 * read from {@code /proc/thread-self}. {@code --reset-on-fork} keeps any thread or process it starts
 * under the normal policy. It needs root or {@code CAP_SYS_NICE}; where it is refused the thread stays as
 * it was and the caller hears why. The kernel still keeps 5% of every second for the normal scheduler
 * ({@code sched_rt_runtime_us}), so a runaway loop cannot take a core whole.
 */
final class SchedFifo {

    /** {@code SCHED_FIFO} as {@code /proc/<tid>/stat} reports a thread's policy. */
    static final int POLICY_FIFO = 1;

    private SchedFifo() {
    }

    /** Switches the calling thread to {@code SCHED_FIFO} at {@code priority}: null when done, else the reason it was not. */
    static String enter(int priority) {
        return enter(priority, "chrt");
    }

    static String enter(int priority, String chrt) {
        if (priority < 1 || priority > 99) {
            throw new IllegalArgumentException("a SCHED_FIFO priority is 1 to 99, was " + priority);
        }
        String tid;
        try {
            tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot find this thread's id in /proc/thread-self (not Linux?): " + e;
        }
        String answer;
        int exit;
        try {
            Process p = new ProcessBuilder(chrt, "--fifo", "--reset-on-fork", "--pid", Integer.toString(priority), tid)
                    .redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return chrt + " did not answer within 5 s";
            }
            answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            exit = p.exitValue();
        } catch (IOException e) {
            return "cannot run " + chrt + " (util-linux): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while " + chrt + " ran";
        }
        if (exit != 0) {
            return chrt + " exited with " + exit + ": " + answer;
        }
        int policy = policy(Path.of("/proc/thread-self/stat"));
        return policy == POLICY_FIFO ? null : chrt + " succeeded but the thread's policy is " + policy;
    }

    /** The scheduling policy in a {@code /proc/.../stat} file (field 41), or -1 if it cannot be read. */
    static int policy(Path stat) {
        try {
            String s = Files.readString(stat, StandardCharsets.US_ASCII);
            // The second field is the thread's name in parentheses and may hold spaces: count after its end.
            String[] after = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            return Integer.parseInt(after[41 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
