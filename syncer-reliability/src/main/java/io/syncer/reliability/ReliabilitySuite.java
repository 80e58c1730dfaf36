package io.syncer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The reliability suite: each scenario breaks something real (a SIGKILLed pipeline, a stopped broker, a stopped sink
 * service) while numbered records flow, then reads the target independently and reports produced, delivered, lost,
 * duplicates, recovery time and peak heap. Prints a {@code RESULT} line per scenario and
 * {@code RELIABILITY OK lost=0 ...} at the end; a scenario that lost a record (or failed) makes it print
 * {@code RELIABILITY FAILED} and exit 1.
 *
 * <p>{@code --quick} (what CI runs) uses fewer records, kills and shorter outages; without it the sizes are those of
 * docs/reliability.md. {@code --only a,b} runs the named scenarios.
 */
public final class ReliabilitySuite {
    private ReliabilitySuite() {
    }

    /**
     * Runs the suite.
     *
     * @param args {@code [--quick] [--only name,...]}
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        Set<String> only = null;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--only")) {
                only = Set.of(args[i + 1].split(","));
            }
        }
        Path work = Path.of(System.getProperty("syncer.reliability.work", "target/reliability"));
        Files.createDirectories(work);
        Duration outage = Duration.ofSeconds(quick ? 10 : 30);
        int crashRecords = quick ? 100_000 : 1_000_000;
        int osCrashRecords = quick ? 30_000 : 1_000_000;
        int kills = quick ? 2 : 5;
        List<Result> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        System.out.printf("reliability suite (%s) on %d cores, Java %s, %s%n", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), java.time.LocalDate.now());
        try (Env env = new Env(quick, work)) {
            Map<String, Callable<Result>> scenarios = new LinkedHashMap<>();
            scenarios.put("kill-kafka", () -> CrashScenario.run(env, "kafka", crashRecords, kills));
            scenarios.put("kill-opensearch", () -> CrashScenario.run(env, "opensearch", osCrashRecords, kills));
            scenarios.put("broker-restart", () -> BrokerRestartScenario.run(env, quick ? 40_000 : 200_000,
                    Duration.ofSeconds(quick ? 3 : 5), Duration.ofSeconds(12)));
            for (String protocol : List.of("classic", "consumer")) {
                scenarios.put("storm-" + protocol, () -> StormScenario.run(env, protocol, quick ? 40_000 : 200_000,
                        quick ? 4 : 20));
            }
            scenarios.put("discovery", () -> DiscoveryScenario.run(env, quick ? 9_000 : 90_000));
            for (String sink : List.of("opensearch", "clickhouse", "cls", "kafka")) {
                scenarios.put("outage-" + sink, () -> SinkOutageScenario.run(env, sink, quick ? 20_000 : 100_000, outage));
            }
            scenarios.put("bad-input", () -> BadInputScenario.run(env, quick ? 20_000 : 100_000, quick ? 2 : 5));
            scenarios.put("security", () -> SecurityScenario.run(env, quick ? 10_000 : 50_000));
            scenarios.put("exactly-once", () -> ExactlyOnceScenario.run(env, quick ? 40_000 : 200_000, quick ? 2 : 5,
                    quick ? 4 : 20));
            for (Map.Entry<String, Callable<Result>> s : scenarios.entrySet()) {
                if (only != null && !only.contains(s.getKey())) {
                    continue;
                }
                long t0 = System.nanoTime();
                try {
                    Result r = s.getValue().call();
                    results.add(r);
                    System.out.println(r.line() + String.format(" (%.0fs)", (System.nanoTime() - t0) / 1e9));
                    if (r.lost() != 0) {
                        failures.add(r.scenario() + " lost " + r.lost());
                    }
                } catch (Exception e) {
                    failures.add(s.getKey() + " failed: " + e);
                    System.out.println("RESULT " + s.getKey() + " FAILED: " + e);
                    e.printStackTrace(System.out);
                }
            }
        }
        long lost = results.stream().mapToLong(Result::lost).sum();
        long produced = results.stream().mapToLong(Result::produced).sum();
        if (failures.isEmpty()) {
            System.out.printf("RELIABILITY OK lost=0 scenarios=%d records=%d%n", results.size(), produced);
        } else {
            System.out.printf("RELIABILITY FAILED lost=%d %s%n", lost, failures);
            throw new IllegalStateException("reliability suite failed: " + failures);
        }
    }
}
