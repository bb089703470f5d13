package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.arena.Tally;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's clients as arena pages in headless Chromium instead of Java bots: one Node process
 * ({@code clients/browser-test/drive.mjs}, puppeteer-core over Debian's Chromium) drives every page, and
 * speaks the demo's JSON lines as a bot process does. What the pages report (issue 14's contract 7:
 * {@code window.arenaReport()}) is turned into one report in the bots' words, so {@link Scoring} counts both
 * kinds of client the same way.
 */
public final class BrowserClients {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The driver's own bound for opening every page and seeing each play; the demo waits a minute longer. */
    static final int READY_TIMEOUT_S = 90;
    /** The driver's bound for its whole run, after which it stops Chromium and exits by itself. */
    static final int DEADLINE_S = 600;
    private static final int MARK_TIMEOUT_S = 30;
    /**
     * Play on the target after the handoff with browser clients, in seconds (the bots' default is
     * {@link DemoSettings#AFTER_S}): each page's window after the mark then holds the whole handoff and about
     * two seconds of ticks on the target.
     */
    public static final int AFTER_S = 2;

    /**
     * Where the driver and its tools are.
     *
     * @param driverDir {@code clients/browser-test} of the checkout, with its {@code node_modules}
     * @param node      the Node executable
     * @param chromium  the Chromium executable
     */
    public record Options(Path driverDir, String node, String chromium) {

        /** The default Chromium: Debian's chromium package. */
        public static final String CHROMIUM = "/usr/bin/chromium";

        /**
         * Checks that the driver can run, before any server starts: the error names what is missing and
         * the command that brings it.
         */
        public Options {
            if (!Files.isRegularFile(driverDir.resolve("drive.mjs"))) {
                throw new IllegalArgumentException("--browser needs the browser driver at " + driverDir.resolve("drive.mjs")
                        + " (clients/browser-test of the checkout ./baton runs from); it is not there");
            }
            if (!Files.isDirectory(driverDir.resolve("node_modules").resolve("puppeteer-core"))) {
                throw new IllegalArgumentException("--browser needs the driver's packages: run `npm ci` in " + driverDir
                        + " (Node 18 or newer); " + driverDir.resolve("node_modules/puppeteer-core") + " is missing");
            }
            if (!onPath(node)) {
                throw new IllegalArgumentException("--browser needs Node (18 or newer) to run the browser driver; '"
                        + node + "' is not an executable file or on PATH: install Node, or give --node PATH");
            }
            if (!Files.isExecutable(Path.of(chromium))) {
                throw new IllegalArgumentException("--browser needs Chromium at " + chromium + ": apt-get install -y "
                        + "chromium, or give --chromium PATH");
            }
        }
    }

    /**
     * A demo run with browser clients: the demo's result, counted from the pages' reports, and what only
     * browsers have (the Chromium, the screenshots, each page's errors).
     */
    public record Run(DemoResult demo, Map<String, Object> browser) {

        /** The demo's report ({@link DemoResult#toJson}) with {@code "clients_kind": "browser"} and {@code "browser"}. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = demo.toJson();
            m.put("clients_kind", "browser");
            m.put("browser", browser);
            return m;
        }

        /** The demo's report for a person, and a line on the browsers: which Chromium, where the screenshots are. */
        public String text() {
            StringBuilder b = new StringBuilder(demo.text());
            b.append(String.format("  browser pages      %s in %s, %s unsettled when read, %s with errors%n",
                    browser.get("pages"), browser.get("chromium"), browser.get("unsettled"),
                    ((List<?>) browser.get("page_errors")).size()));
            for (Object shot : (List<?>) browser.get("screenshots")) {
                Map<?, ?> s = (Map<?, ?>) shot;
                b.append(String.format("  screenshot         %s: %s (the page on %s)%n", s.get("name"), s.get("path"),
                        s.get("endpoint")));
            }
            return b.toString();
        }

        /** The demo passed: the pages' lost, duplicated and missed updates and their errors are in its counts. */
        public boolean passed() {
            return demo.passed();
        }
    }

    private BrowserClients() {
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the driver with {@code clients} pages of the page at {@code pageUrl}, each playing on the
     * server at {@code serverUrl}, and returns once every page plays. {@code trustCert}: the servers'
     * certificates (one PEM file) whose keys Chromium accepts, null in the clear.
     */
    static ChildProcess start(Options o, DemoSettings settings, String pageUrl, String serverUrl, Path trustCert,
                              Path dir) throws IOException, InterruptedException {
        int clients = settings.clients();
        List<String> cmd = new ArrayList<>(List.of(o.node(), o.driverDir().resolve("drive.mjs").toString(),
                "--page", pageUrl, "--server", serverUrl, "--clients", Integer.toString(clients),
                "--tick-hz", Integer.toString(settings.tickHz()), "--input-hz", Double.toString(settings.inputHz()),
                "--out", dir.toString(), "--chromium", o.chromium(),
                "--ready-timeout-s", Integer.toString(READY_TIMEOUT_S), "--deadline-s", Integer.toString(DEADLINE_S)));
        if (trustCert != null) {
            cmd.addAll(List.of("--trust-cert", trustCert.toString()));
        }
        try {
            return ChildProcess.startCommand(cmd, "browsers", dir, READY_TIMEOUT_S + 60);
        } catch (IOException e) {
            throw new IOException("the browser driver did not get " + clients + " pages playing on " + pageUrl + ": "
                    + lastLines(dir.resolve("browsers.log")), e);
        }
    }

    /** Screenshot "before", then the mark every page measures its baseline before; returns once it is set. */
    static void mark(ChildProcess driver) throws IOException, InterruptedException {
        driver.command("mark");
        driver.await("marked", MARK_TIMEOUT_S);
    }

    /** Screenshot "during": the handoff was ordered; its outcome is not known yet. Does not wait. */
    static void during(ChildProcess driver) throws IOException {
        driver.command("during");
    }

    /** Lets the pages play {@code afterMs} more, then returns the driver's report (every page's, the screenshots). */
    static JsonNode finish(ChildProcess driver, long afterMs) throws IOException, InterruptedException {
        driver.command("finish " + afterMs);
        return driver.await("report", (int) (afterMs / 1000) + 120);
    }

    /**
     * The pages' reports as one report in the bots' words ({@code ./baton bots --control}): a page counts
     * as moved when it saw a handoff and is on the target's client port at the end, as resumed when its
     * session resumed on a new connection at least once (the fallback, as a bot's); the updates it missed
     * or saw twice are outputs lost or duplicated; a page whose own verdict is not {@code verified} (the
     * game's count and hash of its inputs, the updates' consistency: the Java bot's checks), every error a
     * page reported or threw, and a page that had no report, each count as a failed verification. Each page's stall is the largest gap between updates it
     * reports for the window after the mark ({@code stall_ms.max}), its baseline the same before it. Pages
     * keep no clock shared with the demo, so there are no move times, and the demo's {@code handoff_ms} is
     * unknown.
     */
    static ObjectNode asBotReport(JsonNode driverReport, int targetClientPort) {
        long clients = 0;
        long moved = 0;
        long resumed = 0;
        long missing = 0;
        long[] tally = new long[Tally.FIELDS.size()];
        ArrayNode stalls = JSON.createArrayNode();
        ArrayNode baseline = JSON.createArrayNode();
        for (JsonNode p : driverReport.path("pages")) {
            clients++;
            JsonNode r = p.path("report");
            long failures = p.path("thrown").size();
            if (!r.isObject()) {
                missing++;
                tally[6] += failures + 1;
                continue;
            }
            if (r.path("handoffs_seen").asLong() >= 1 && onPort(r.path("endpoint").asText(), targetClientPort)) {
                moved++;
            }
            if (r.path("resumes").asLong() > 0) {
                resumed++;
            }
            tally[0] += r.path("inputs_sent").asLong();
            tally[1] += r.path("inputs_lost").asLong();
            tally[2] += r.path("inputs_duplicated").asLong();
            tally[3] += r.path("ticks_missed").asLong();
            tally[4] += r.path("ticks_duplicated").asLong();
            tally[5] += r.path("out_of_order").asLong();
            tally[6] += failures + r.path("errors").size() + (r.path("verified").asBoolean(false) ? 0 : 1);
            stalls.add(nanos(r.path("stall_ms").path("max")));
            baseline.add(nanos(r.path("baseline_stall_ms").path("max")));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("event", "report");
        out.put("clients", clients);
        out.put("connect_failures", missing);
        out.put("clients_moved", moved);
        out.put("clients_resumed", resumed);
        for (int i = 0; i < tally.length; i++) {
            out.put(Tally.FIELDS.get(i), tally[i]);
        }
        out.set("stalls", stalls);
        out.set("baseline_stalls", baseline);
        return out;
    }

    /**
     * What the demo's report adds for browser clients: the Chromium that ran, the screenshots (path, and
     * which server the page was on when each was taken), and each page's errors where it had any.
     */
    static Map<String, Object> summary(JsonNode driverReport) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("chromium", driverReport.path("chromium").asText());
        m.put("pages", driverReport.path("pages").size());
        m.put("unsettled", driverReport.path("unsettled").asInt()); // pages with inputs still unapplied when read
        m.put("screenshots", JSON.convertValue(driverReport.path("screenshots"), List.class));
        m.put("pages_file", driverReport.path("pages_file").asText(null)); // every page's whole report
        List<Object> errors = new ArrayList<>();
        for (JsonNode p : driverReport.path("pages")) {
            JsonNode r = p.path("report");
            if (!r.isObject() || !r.path("errors").isEmpty() || !p.path("thrown").isEmpty()) {
                Map<String, Object> e = new java.util.LinkedHashMap<>();
                e.put("url", p.path("url").asText());
                e.put("errors", r.isObject() ? JSON.convertValue(r.path("errors"), List.class) : List.of("no report"));
                e.put("thrown", JSON.convertValue(p.path("thrown"), List.class));
                errors.add(e);
            }
        }
        m.put("page_errors", errors);
        return m;
    }

    /** Whether an endpoint ({@code host:port} or a URL) names this port. */
    static boolean onPort(String endpoint, int port) {
        String p = ":" + port;
        int at = endpoint.indexOf(p);
        while (at >= 0) {
            int end = at + p.length();
            if (end == endpoint.length() || !Character.isDigit(endpoint.charAt(end))) {
                return true;
            }
            at = endpoint.indexOf(p, end);
        }
        return false;
    }

    private static long nanos(JsonNode ms) {
        return Math.round(ms.asDouble() * 1e6);
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
