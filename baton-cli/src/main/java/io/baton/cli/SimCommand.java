package io.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.sim.Simulation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {
            "Run the seeded deterministic simulator and check every invariant.",
            "",
            "The real protocol core (source, target, arena clients) runs on a virtual clock and network, one "
                + "handoff per seed, invariants checked after each run. "
                + "Any violation prints its seed; '--seed S' replays that run alone, narrated.",
            "",
            "Exits 0 when no seed violated an invariant."
        })
final class SimCommand implements Callable<Integer> {

    @Option(names = "--seeds", defaultValue = "1000", description = "How many seeds to run (default: ${DEFAULT-VALUE}).")
    long seeds;

    @Option(names = "--first-seed", defaultValue = "1", description = "The first seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(names = "--seed", description = "Replay one seed with a narration of what happened.")
    Long seed;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (seed != null) {
            Simulation.Result r = Simulation.replay(seed, System.out::println);
            System.out.println(r.passed() ? "seed " + seed + ": every invariant held"
                    : "seed " + seed + ": " + String.join("\n  ", r.violations()));
            return r.passed() ? 0 : 1;
        }
        long start = System.nanoTime();
        long violations = 0;
        List<Long> failing = new ArrayList<>();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        Map<String, Long> versions = new LinkedHashMap<>();
        long nextProgress = start + 5_000_000_000L;
        for (long s = firstSeed; s < firstSeed + seeds; s++) {
            Simulation.Result r = Simulation.run(s);
            outcomes.merge(r.outcome(), 1L, Long::sum);
            versions.merge(r.versions().isEmpty() ? "same" : r.versions(), 1L, Long::sum);
            if (!r.passed()) {
                violations += r.violations().size();
                if (failing.size() < 100) {
                    failing.add(s);
                }
                System.err.println("sim: seed " + s + " violated: " + r.violations().get(0));
            }
            if (System.nanoTime() >= nextProgress) {
                System.err.printf("sim: %d/%d seeds, %d failing%n", s - firstSeed + 1, seeds, failing.size());
                nextProgress += 5_000_000_000L;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seeds", seeds);
        out.put("first_seed", firstSeed);
        out.put("violations", violations);
        out.put("failing_seeds", failing);
        out.put("outcomes", outcomes);
        out.put("versions", versions);
        out.put("runs_per_s", Math.round(seeds / secs * 10) / 10.0);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.printf("%d seeds in %.1f s (%.0f runs/s): %d violations%s%n", seeds, secs, seeds / secs,
                    violations, failing.isEmpty() ? "" : " in seeds " + failing);
            System.out.println("versions (source -> target): " + versions);
        }
        return failing.isEmpty() ? 0 : 1;
    }
}
