package io.syncer.examples;

import io.syncer.test.ClickHouseServer;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.OpenSearchNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --fault} options: what users fear most, injected once the run is a quarter done, each
 * on its own thread ({@code demo-fault-<name>}) that this object owns. The summary must still match.
 *
 * <ul>
 *   <li>{@code opensearch-stop}: the OpenSearch node stopped for 20 s, then started again on the same data;</li>
 *   <li>{@code cls-429}: the CLS endpoint answers every upload with 429 for 20 s;</li>
 *   <li>{@code clickhouse-restart}: the ClickHouse server killed (SIGKILL, so it answers nothing more; a SIGTERM
 *   lets it answer queries on open connections for seconds while it shuts down), down 5 s, and started again.</li>
 * </ul>
 */
final class DemoFaults {
    /** The fault names {@code --fault} takes, comma-separated. */
    static final List<String> NAMES = List.of("opensearch-stop", "cls-429", "clickhouse-restart");
    /** How long the OpenSearch node is down and CLS answers 429. */
    static final Duration OUTAGE = Duration.ofSeconds(20);
    /** How long ClickHouse is down between its stop and its start. */
    static final Duration CLICKHOUSE_DOWN = Duration.ofSeconds(5);
    /** The share of the run after which the faults begin. */
    static final double TRIGGER_AT = 0.25;

    private final List<String> faults;
    private final DemoServices services;
    private final long startNanos;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private boolean triggered;

    DemoFaults(String spec, DemoServices services, long startNanos) {
        List<String> names = new ArrayList<>();
        if (spec != null && !spec.isBlank()) {
            for (String f : spec.toLowerCase(Locale.ROOT).split(",")) {
                String name = f.strip();
                if (!NAMES.contains(name)) {
                    throw new IllegalArgumentException("unknown --fault " + name + "; one or more of " + NAMES);
                }
                names.add(name);
            }
        }
        if (names.contains("opensearch-stop") && services.openSearchNode() == null) {
            throw new IllegalArgumentException("--fault opensearch-stop needs the OpenSearch node the demo starts");
        }
        if (names.contains("cls-429") && services.clsEndpoint() == null) {
            throw new IllegalArgumentException("--fault cls-429 needs the local CLS endpoint");
        }
        if (names.contains("clickhouse-restart") && services.clickHouse.isExternal()) {
            throw new IllegalArgumentException("--fault clickhouse-restart needs the ClickHouse server the demo starts");
        }
        this.faults = List.copyOf(names);
        this.services = services;
        this.startNanos = startNanos;
    }

    List<String> names() {
        return faults;
    }

    /** Starts the faults once {@code done} reaches {@link #TRIGGER_AT} of {@code total}; called by the progress loop. */
    void maybeTrigger(long done, long total) {
        if (triggered || faults.isEmpty() || done < total * TRIGGER_AT) {
            return;
        }
        triggered = true;
        for (String f : faults) {
            Thread t = new Thread(() -> {
                try {
                    inject(f);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    note(f + " failed: " + e);
                }
            }, "demo-fault-" + f);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void inject(String fault) throws InterruptedException {
        switch (fault) {
            case "opensearch-stop" -> {
                OpenSearchNode node = services.openSearchNode();
                note("opensearch-stop: stopping the OpenSearch node for " + OUTAGE.toSeconds() + " s");
                node.stop();
                Thread.sleep(OUTAGE.toMillis());
                note("opensearch-stop: starting the OpenSearch node again");
                node.restart();
                note("opensearch-stop: the OpenSearch node serves again");
            }
            case "cls-429" -> {
                ClsEndpoint endpoint = services.clsEndpoint();
                note("cls-429: CLS answers 429 for " + OUTAGE.toSeconds() + " s");
                endpoint.failFor(OUTAGE, 429);
                Thread.sleep(OUTAGE.toMillis());
                note("cls-429: CLS accepts uploads again");
            }
            case "clickhouse-restart" -> {
                ClickHouseServer server = services.clickHouse;
                note("clickhouse-restart: killing the ClickHouse server, down for " + CLICKHOUSE_DOWN.toSeconds() + " s");
                server.kill();
                Thread.sleep(CLICKHOUSE_DOWN.toMillis());
                server.restart();
                note("clickhouse-restart: the ClickHouse server serves again");
            }
            default -> throw new IllegalStateException(fault);
        }
    }

    private void note(String event) {
        String line = String.format("%.1fs %s", (System.nanoTime() - startNanos) / 1e9, event);
        events.add(line);
        System.out.println("FAULT " + line);
    }

    /** @return whether every fault has run its course (a run is not done before that) */
    boolean finished() {
        if (faults.isEmpty()) {
            return true;
        }
        return triggered && threads.stream().noneMatch(Thread::isAlive);
    }

    /** Waits for the fault threads (they end on their own), e.g. before the services are stopped. */
    void await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    List<String> events() {
        return List.copyOf(events);
    }
}
