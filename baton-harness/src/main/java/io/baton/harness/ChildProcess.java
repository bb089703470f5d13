package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code baton} subcommand in its own OS process (its own JVM): a server as an operator would start it,
 * or a fleet of bots. Its stderr goes to a log file; stdout carries JSON lines, the first of which says
 * it is ready (a server's ports, a fleet's connected bots); stdin carries commands, if any.
 */
public final class ChildProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Process process;
    private final Path log;
    private final BufferedReader stdout;
    private final JsonNode ready;

    private ChildProcess(String name, Process process, Path log, BufferedReader stdout, JsonNode ready) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdout = stdout;
        this.ready = ready;
    }

    private static String absoluteClassPath() {
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (cp.length() > 0) {
                cp.append(java.io.File.pathSeparatorChar);
            }
            cp.append(entry.isEmpty() ? entry : Path.of(entry).toAbsolutePath().toString());
        }
        return cp.toString();
    }

    /**
     * Starts {@code main ARGS} (the product's main class: {@code baton ARGS}) on this JVM's class path, in
     * {@code dir}, and waits (at most {@code readySeconds}) for its ready line.
     */
    public static ChildProcess start(Class<?> main, String name, Path dir, List<String> jvmArgs, List<String> args,
                                     int readySeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(absoluteClassPath()); // the child runs in another directory: `java -jar relative/baton.jar` must work
        cmd.add(main.getName());
        cmd.addAll(args);
        return startCommand(cmd, name, dir, readySeconds);
    }

    /**
     * Starts any program ({@code cmd}: the executable and its arguments) that speaks the same JSON lines (the
     * browser driver, a Node script), in {@code dir}, and waits (at most {@code readySeconds}) for its ready line.
     */
    static ChildProcess startCommand(List<String> cmd, String name, Path dir, int readySeconds)
            throws IOException, InterruptedException {
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).directory(dir.toFile()).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        JsonNode first = nextEvent(r, "ready", readySeconds);
        if (first == null) {
            p.destroyForcibly();
            throw new IOException(name + " did not start; see " + log);
        }
        return new ChildProcess(name, p, log, r, first);
    }

    /** The next stdout line that is a JSON object with this "event", or null at end or after the timeout. */
    private static JsonNode nextEvent(BufferedReader r, String event, int seconds) throws InterruptedException {
        CompletableFuture<JsonNode> line = CompletableFuture.supplyAsync(() -> {
            try {
                // The JVM itself may print too (a flight recording starting, say): skip to our line.
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    if (l.startsWith("{")) {
                        JsonNode j = JSON.readTree(l);
                        if (event.equals(j.path("event").asText())) {
                            return j;
                        }
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            line.cancel(true);
            return null;
        }
    }

    public JsonNode ready() {
        return ready;
    }

    /** Sends one command line to the child's stdin. */
    public void command(String line) throws IOException {
        var in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits (bounded) for the child's next JSON line with this event. */
    public JsonNode await(String event, int seconds) throws IOException, InterruptedException {
        JsonNode j = nextEvent(stdout, event, seconds);
        if (j == null) {
            throw new IOException(name + " sent no '" + event + "' within " + seconds + " s; see " + log);
        }
        return j;
    }

    public int clientPort() {
        return ready.path("client_port").asInt();
    }

    public int peerPort() {
        return ready.path("peer_port").asInt();
    }

    public int adminPort() {
        return ready.path("admin_port").asInt();
    }

    public long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Its resident set (VmRSS of /proc/PID/status) in MiB, or null if it is not alive or that cannot be read. */
    public Double rssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kb = Long.parseLong(line.substring("VmRSS:".length()).trim().split("\\s+")[0]);
                    return Math.round(kb / 1024.0 * 10) / 10.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux: no figure
        }
        return null;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    /**
     * SIGSTOP now, SIGCONT after {@code millis} (on a thread of its own, so the caller is free meanwhile):
     * the process freezes with its connections open, as a machine under a long GC pause or a hiccup would.
     */
    void pauseFor(long millis) throws IOException, InterruptedException {
        signal("STOP");
        Thread waker = new Thread(() -> {
            try {
                Thread.sleep(millis); // the length of the fault itself
                signal("CONT");
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }, "baton-pause-" + name);
        waker.setDaemon(true);
        waker.start();
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGTERM, what an orchestrator stops a process with; the process decides what to do with it. */
    public void terminate() throws IOException, InterruptedException {
        signal("TERM");
    }

    /**
     * Waits for the process to exit and returns its exit code.
     *
     * @throws IllegalStateException if it is still running after {@code seconds}
     */
    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still runs " + seconds + " s after "
                    + "it was told to stop");
        }
        return process.exitValue();
    }

    /** kill -9: the process dies at once, its connections reset by the kernel (a fault, not a shutdown). */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
