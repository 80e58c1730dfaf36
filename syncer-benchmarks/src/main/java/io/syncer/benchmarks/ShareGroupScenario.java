package io.syncer.benchmarks;

import io.syncer.consume.ConsumerGroupManager;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.share.ShareGroupConfig;
import io.syncer.share.ShareGroupManager;
import io.syncer.test.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * P7: share-group mode vs consumer-group mode, both UNORDERED, on the same records: 2 ms of non-blocking work per
 * record over 2 partitions, at concurrency 256 per instance, with one, two and three instances in this JVM. A
 * consumer group cannot use more instances than partitions; a share group can, at the price of one
 * acknowledgement per record and of each share consumer waiting for its whole poll before the next.
 */
final class ShareGroupScenario {
    private static final int PARTITIONS = 2;
    private static final int CONCURRENCY = 256;

    private final BenchmarkSuite suite;

    ShareGroupScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 20_000 : 200_000;
        int reps = suite.quick ? 1 : 3;
        String topic = KafkaBroker.uniqueName("p7");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        suite.produce(topic, records, 10_000);
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            BenchmarkSuite.remoteCall().join();
        }
        double callMs = (System.nanoTime() - t0) / 1e6 / 200;
        System.out.printf("P7: %d records, %d repetition(s) each, alternating; throughput from the first record processed"
                + " to the last (a share group's members learn their assignment by heartbeat: seconds), join time apart%n",
                records, reps);
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(suite.bootstrap).build())) {
            for (int instances : suite.quick ? new int[] {1, 3} : new int[] {1, 2, 3}) {
                suite.addRow(String.format("| P7 ceiling, %d instance(s) x concurrency %d | concurrency / call latency (%.2f ms)"
                        + " | - | %.0f | - | - | - | - |", instances, CONCURRENCY, callMs, instances * CONCURRENCY * 1000 / callMs));
                List<Run> group = new ArrayList<>();
                List<Run> share = new ArrayList<>();
                for (int rep = 0; rep < reps; rep++) {
                    group.add(timed(records, done -> consumerGroup(topic, records, instances, done)));
                    share.add(timed(records, done -> shareGroup(topic, records, instances, producers, done)));
                    System.out.printf("  %d instance(s) rep %d: consumer group %.0f rec/s, share group %.0f rec/s%n", instances,
                            rep + 1, group.get(rep).recordsPerSecond, share.get(rep).recordsPerSecond);
                }
                String scenario = "P7 2 ms I/O, " + PARTITIONS + " partitions, " + instances + " instance(s)";
                Run g = Run.median(group);
                Run s = Run.median(share);
                suite.addRow(String.format("| %s | syncer consumer group, UNORDERED (first record after %.1f s) | %d | %.0f | %.2f | - | 1.00 | 1.00 |",
                        scenario, g.joinSeconds, records, g.recordsPerSecond, g.cpuSeconds));
                suite.addRow(String.format("| %s | syncer share group, 2 share consumers per instance (first record after %.1f s) | %d | %.0f | %.2f | - | **%.2f** | %.2f |",
                        scenario, s.joinSeconds, records, s.recordsPerSecond, s.cpuSeconds,
                        s.recordsPerSecond / g.recordsPerSecond, s.cpuSeconds / g.cpuSeconds));
            }
        }
    }

    /** One repetition: time to the first record, records per second from it to the last, process CPU in all. */
    private record Run(double joinSeconds, double recordsPerSecond, double cpuSeconds) {
        static Run median(List<Run> runs) {
            return new Run(Measurement.median(runs.stream().map(Run::joinSeconds).toList()),
                    Measurement.median(runs.stream().map(Run::recordsPerSecond).toList()),
                    Measurement.median(runs.stream().map(Run::cpuSeconds).toList()));
        }
    }

    /** A variant's body: starts its members, which count into {@code done}, and closes them at the end. */
    @FunctionalInterface
    private interface Variant {
        AutoCloseable start(AtomicLong done) throws Exception;
    }

    private static Run timed(int records, Variant variant) throws Exception {
        System.gc();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        AtomicLong done = new AtomicLong();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long first;
        long end;
        try (AutoCloseable members = variant.start(done)) {
            while (done.get() == 0) {
                Thread.sleep(1);
            }
            first = System.nanoTime();
            long atFirst = done.get();
            while (done.get() < records) {
                Thread.sleep(2);
            }
            end = System.nanoTime();
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            return new Run((first - t0) / 1e9, (records - atFirst) / ((end - first) / 1e9), cpu);
        }
    }

    private static QueueWorker<ConsumerRecord<byte[], byte[]>> queue(AtomicLong done, DeadLetterPolicy dlt) {
        QueueWorkerConfig.Builder b = QueueWorkerConfig.builder().workers(2).maxInFlight(CONCURRENCY)
                .ordering(OrderingMode.UNORDERED);
        if (dlt != null) {
            b.deadLetterPolicy(dlt);
        }
        return QueueWorker.create(b.build(), RecordDecoder.identity(),
                (workerId, record) -> BenchmarkSuite.remoteCall().thenRun(done::incrementAndGet));
    }

    private AutoCloseable consumerGroup(String topic, int records, int instances, AtomicLong done) {
        String group = KafkaBroker.uniqueName("p7-cg");
        List<ConsumerGroupManager> managers = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            managers.add(ConsumerGroupManager.create(suite.consumer(group, topic), queue(done, null)));
        }
        managers.forEach(ConsumerGroupManager::start);
        return () -> managers.forEach(m -> m.close(Duration.ofSeconds(30)));
    }

    private AutoCloseable shareGroup(String topic, int records, int instances, KafkaProducers producers, AtomicLong done) {
        String group = KafkaBroker.uniqueName("p7-sg");
        List<ShareGroupManager> managers = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            managers.add(ShareGroupManager.create(ShareGroupConfig.builder().groupId(group).topics(topic)
                            .bootstrapServers(suite.bootstrap).consumers(2).maxQueuedRecords(4 * CONCURRENCY).build(),
                    queue(done, DeadLetterPolicy.toTopic(producers, topic + ".dlt")), SyncerMetrics.NOOP));
        }
        managers.forEach(ShareGroupManager::start);
        return () -> managers.forEach(m -> m.close(Duration.ofSeconds(30)));
    }
}
