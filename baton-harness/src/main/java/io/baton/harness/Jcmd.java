package io.baton.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads another JVM's heap with jcmd, which ships with the JDK: the benchmarks' heap figures. */
public final class Jcmd {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private Jcmd() {
    }

    /** Runs a full collection in the process, then returns its heap in use, in bytes. */
    public static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
        run(pid, "GC.run");
        String info = run(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IOException("cannot read the heap in use from jcmd GC.heap_info:\n" + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static String run(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed:\n" + out);
        }
        return out;
    }
}
