package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.test.ChildProcessKafkaBroker;
import io.syncer.test.ClickHouseServer;
import io.syncer.test.ClsLog;
import io.syncer.test.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Scenario 5: one sink's service unavailable mid-run while records keep coming: the OpenSearch node stopped, the
 * ClickHouse server stopped, CLS answering 500 and then 429, the target Kafka cluster's broker stopped. The pipeline
 * (a child JVM with a dead-letter topic) must hold what it cannot write, pause consumption at its queue bound
 * (so its retained heap stays near the bound), dead-letter nothing, and deliver everything after the service returns.
 */
final class SinkOutageScenario {
    private SinkOutageScenario() {
    }

    static Result run(Env env, String sink, int records, Duration outage) throws Exception {
        String name = "outage-" + sink;
        String source = KafkaBroker.uniqueName("rel-src");
        String target = KafkaBroker.uniqueName("rel-out").toLowerCase().replace('-', '_');
        String dlt = KafkaBroker.uniqueName("rel-dlt");
        String group = KafkaBroker.uniqueName("rel-g");
        String bootstrap = env.broker.bootstrapServers();
        env.broker.createTopic(source, 6);
        env.broker.createTopic(dlt, 1);
        ChildProcessKafkaBroker targetCluster = null;
        List<String> args = new ArrayList<>(List.of("sink=" + sink, "bootstrap=" + bootstrap, "source=" + source,
                "group=" + group, "target=" + target, "dlt=" + dlt));
        switch (sink) {
            case "opensearch" -> {
                args.add("url=" + env.openSearch().url());
                Http.send("PUT", env.openSearch().url() + "/" + target, "{\"settings\":{\"number_of_shards\":1,"
                        + "\"number_of_replicas\":0}}");
            }
            case "clickhouse" -> {
                args.add("url=" + env.clickHouse().httpUrl());
                env.clickHouse().execute("CREATE TABLE " + target + " (seq UInt64, tenant String, _topic String,"
                        + " _partition UInt32, _offset UInt64) ENGINE = MergeTree() ORDER BY (_partition, _offset)");
            }
            case "cls" -> args.add("url=" + env.cls().url());
            case "kafka" -> {
                targetCluster = ChildProcessKafkaBroker.start();
                targetCluster.createTopic(target, 6);
                args.add("target.bootstrap=" + targetCluster.bootstrapServers());
            }
            default -> throw new IllegalArgumentException(sink);
        }
        try {
            Child child = Child.start(env.work, name, args);
            KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap).build());
            PacedProducer producer = PacedProducer.start(records, 1_000, outage.toNanos() * 3,
                    (from, to) -> Numbered.produce(producers, source, from, to));
            Thread.sleep(outage.toMillis() / 2);
            Runnable back = outage(env, sink, targetCluster, outage);
            Thread.sleep(outage.toMillis());
            long heapDuring = Math.max(0, lastHeap(child));
            // recovery: from the service's return until committed offsets move again (records complete only once the
            // sink took them), read with Admin on the source cluster, which stayed up
            long before = Env.committedSum(env.broker, group, source);
            back.run();
            long returned = System.nanoTime();
            while (Env.committedSum(env.broker, group, source) <= before && System.nanoTime() - returned < 180e9) {
                Thread.sleep(100);
            }
            double recovery = (System.nanoTime() - returned) / 1e9;
            producer.join();
            producers.close();
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (!Env.committedToEnd(env.broker, group, source) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            child.stop();
            long[] held = held(env, sink, target, targetCluster, records);
            long deadLetters = Env.logEnd(env.broker, dlt);
            if (deadLetters > 0) {
                throw new IllegalStateException(name + ": " + deadLetters + " records were dead-lettered; none was bad");
            }
            // the pipeline's own account: the sink (or one destination of it) was held, not retried record by record
            String heldPath = child.output().lines().filter(l -> l.contains("sink " + sink) && l.contains("cannot write"))
                    .findFirst().map(l -> l.substring(l.indexOf("sink " + sink))).orElse(null);
            if (heldPath == null) {
                throw new IllegalStateException(name + ": the pipeline never reported the sink as held; see "
                        + env.work.resolve(name).resolve("child.out"));
            }
            return new Result(name, records, held[0], records - held[0], held[1] - held[0], recovery, child.peakHeapMb(),
                    "down " + outage.toSeconds() + "s mid-run; retained heap at the outage's end " + heapDuring
                            + " MiB (queue bound " + ChildPipeline.MAX_QUEUED_RECORDS + " records); 0 dead letters;"
                            + " held as an outage: \"" + (heldPath.length() > 160 ? heldPath.substring(0, 160) + "..." : heldPath)
                            + "\"");
        } finally {
            if (targetCluster != null) {
                targetCluster.close();
            }
        }
    }

    /** Starts the outage; the returned action ends it. */
    private static Runnable outage(Env env, String sink, ChildProcessKafkaBroker targetCluster, Duration outageLength) {
        switch (sink) {
            case "opensearch" -> {
                env.openSearch().stop();
                return () -> env.openSearch().restart();
            }
            case "clickhouse" -> {
                ClickHouseServer server = env.clickHouse();
                server.stop();
                return server::restart;
            }
            case "cls" -> {
                // 500s for the first half of the outage, 429s for the second (a thread of its own switches them)
                Duration half = outageLength.dividedBy(2);
                env.cls().failFor(half, 500);
                Thread switcher = new Thread(() -> {
                    try {
                        Thread.sleep(half.toMillis());
                        env.cls().failFor(half, 429);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "reliability-cls-429");
                switcher.setDaemon(true);
                switcher.start();
                return () -> {
                    try {
                        switcher.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    env.cls().clearFaults();
                };
            }
            default -> {
                targetCluster.stop();
                return targetCluster::restart;
            }
        }
    }

    /** {distinct records, copies} in the target, read independently. */
    private static long[] held(Env env, String sink, String target, ChildProcessKafkaBroker targetCluster, long records)
            throws Exception {
        switch (sink) {
            case "opensearch" -> {
                long n = Http.openSearchCount(env.openSearch().url(), target);
                return new long[] {n, n};
            }
            case "clickhouse" -> {
                List<String> row = env.clickHouse().rows("SELECT uniqExact(seq), count() FROM " + target).get(0);
                return new long[] {Long.parseLong(row.get(0)), Long.parseLong(row.get(1))};
            }
            case "cls" -> {
                BitSet seen = new BitSet();
                List<ClsLog> logs = env.cls().logs(target);
                logs.forEach(l -> seen.set(Integer.parseInt(l.get("seq"))));
                return new long[] {seen.get(0, (int) records).cardinality(), logs.size()};
            }
            default -> {
                Numbered.Held h = Numbered.read(targetCluster.bootstrapServers(), target);
                return new long[] {h.distinct(), h.copies()};
            }
        }
    }

    private static long lastHeap(Child child) throws Exception {
        long last = -1;
        for (String line : child.output().split("\n")) {
            if (line.startsWith("HEAP ")) {
                last = Long.parseLong(line.substring(5).strip());
            }
        }
        return last;
    }
}
