package io.baton.cli;

import io.baton.transport.Transport;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --realtime-priority}: the commands whose processes carry ticks (serve, bots) share it. */
final class RealtimeOption {

    @Option(names = "--realtime-priority", defaultValue = "0", paramLabel = "N",
            description = "Run the event loops (every read and write of a tick) under SCHED_FIFO at priority N, "
                    + "1 to 99, ahead of compilers, collectors and other processes; needs root or CAP_SYS_NICE "
                    + "and util-linux chrt, and without them says so and runs as usual. 0 leaves them to the "
                    + "normal scheduler (default: ${DEFAULT-VALUE}).")
    int priority;

    /** What a ready line says of it: where the OS refused, the reason, for the parent to pass on. */
    void describe(Map<String, Object> ready) {
        ready.put("realtime_priority", priority);
        String refused = Transport.realtimeRefusal();
        if (refused != null) {
            ready.put("realtime_refused", refused);
        }
    }

    /** Refuses what is no priority, in the option's own words, before any child process is started with it. */
    static void check(int priority) {
        if (priority < 0 || priority > 99) {
            throw new IllegalArgumentException("--realtime-priority must be 0 to 99, was " + priority);
        }
    }

    /** Takes effect for the event loops made after it: call it first. */
    void apply() {
        apply(priority);
    }

    static void apply(int priority) {
        check(priority);
        Transport.realtime(priority, reason -> System.err.println(
                "baton: event loops stay with the normal scheduler (--realtime-priority " + priority + "): " + reason));
    }
}
