package io.baton.cli;

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
 * A {@code baton serve} in its own OS process (its own JVM), as an operator would start it. Its stderr
 * goes to a log file; its first stdout line tells the ports it bound.
 */
final class ServerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final JsonNode ready;

    private ServerProcess(String name, Process process, Path log, JsonNode ready) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.ready = ready;
    }

    /** Starts {@code baton serve ARGS} and waits (bounded) until it has bound its ports. */
    static ServerProcess start(String name, Path dir, List<String> jvmArgs, List<String> serveArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("serve");
        cmd.addAll(serveArgs);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).directory(dir.toFile()).start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                // The JVM itself may print first (a flight recording starting, say): skip to our line.
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    if (l.startsWith("{\"event\":\"ready\"")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String first;
        try {
            first = line.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            first = null;
        }
        if (first == null) {
            p.destroyForcibly();
            throw new IOException(name + " did not start; see " + log);
        }
        return new ServerProcess(name, p, log, new ObjectMapper().readTree(first));
    }

    int clientPort() {
        return ready.path("client_port").asInt();
    }

    int peerPort() {
        return ready.path("peer_port").asInt();
    }

    int adminPort() {
        return ready.path("admin_port").asInt();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    String name() {
        return name;
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
