package io.syncer.benchmarks;

import io.syncer.consume.ConsumerGroupManager;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * P8 (issue 14, target 1): keys drawn from a Zipf distribution, KEY order, 2 ms of I/O per record. The hottest key's
 * records must run one after another, so no run can be shorter than its record count times the call latency: the
 * <i>serial floor</i>. Measured from the first record started to the last finished, against that floor, for a worker
 * that returns the call's stage and for one that blocks its thread on it, over 1 to 64 partitions.
 */
final class SkewedKeysScenario {
    private static final int KEYS = 1_000;
    private static final int ASYNC_IN_FLIGHT = 256;
    private static final int BLOCKING_THREADS = 64;

    private final BenchmarkSuite suite;

    SkewedKeysScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 3_000 : 12_000;
        int reps = suite.quick ? 1 : 3;
        double[] exponents = suite.quick ? new double[] {1.0} : new double[] {1.0, 1.4};
        int[] partitionCounts = suite.quick ? new int[] {1, 16} : new int[] {1, 16, 64};
        System.out.printf("P8: %d records over %d Zipf keys, %d repetition(s) after a warm-up, each beside its serial floor%n",
                records, KEYS, reps);
        for (double s : exponents) {
            int[] keyOf = zipfKeys(records, s);
            int hottest = hottestCount(keyOf);
            for (int partitions : partitionCounts) {
                if (suite.p8Case != null && !suite.p8Case.equals(s + ":" + partitions)) {
                    continue;
                }
                String topic = KafkaBroker.uniqueName("p8");
                KafkaBroker.createTopic(suite.admin, topic, partitions);
                produce(topic, keyOf);
                String scenario = String.format("P8 Zipf s=%.1f, %d partition(s), hottest key %d of %d records", s,
                        partitions, hottest, records);
                for (boolean blocking : new boolean[] {false, true}) {
                    List<Double> seconds = new ArrayList<>();
                    List<Double> floors = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    for (int rep = 0; rep < reps + 1; rep++) {
                        double floor = serialFloor(hottest, blocking);
                        double[] run = once(topic, records, blocking);
                        if (rep > 0) { // the first is the warm-up
                            floors.add(floor);
                            seconds.add(run[0]);
                            cpu.add(run[1]);
                        }
                    }
                    double median = Measurement.median(seconds);
                    double floor = Measurement.median(floors);
                    String variant = blocking ? "blocking worker, " + BLOCKING_THREADS + " threads"
                            : "worker returns the call's stage, maxInFlight " + ASYNC_IN_FLIGHT;
                    suite.addRow(String.format("| %s | serial floor: %d calls one after another, %s | %d | %.0f | - | - | 1.00 | - |",
                            scenario, hottest, blocking ? "each joined by one thread" : "each started by the last one's completion",
                            hottest, hottest / floor));
                    suite.addRow(String.format("| %s | syncer KEY order, %s | %d | %.0f | %.2f | - | **%.3f x the floor** | - |",
                            scenario, variant, records, records / median, Measurement.median(cpu), median / floor));
                }
            }
        }
    }

    /**
     * The hottest key's work done by hand, in the same run: {@code calls} calls one after another, each joined by one
     * thread (blocking) or each started by the previous one's completion (a stage chain). Seconds.
     */
    private static double serialFloor(int calls, boolean blocking) {
        long t0 = System.nanoTime();
        if (blocking) {
            for (int i = 0; i < calls; i++) {
                BenchmarkSuite.remoteCall().join();
            }
        } else {
            java.util.concurrent.CompletableFuture<Void> chain = java.util.concurrent.CompletableFuture.completedFuture(null);
            for (int i = 0; i < calls; i++) {
                chain = chain.thenCompose(v -> BenchmarkSuite.remoteCall());
            }
            chain.join();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** One run: seconds from the first record started to the last finished, and the process CPU seconds. */
    private double[] once(String topic, int records, boolean blocking) throws Exception {
        System.gc();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        AtomicLong done = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        // --trace: the hottest key's calls, start and end, to tell its waits between records apart
        List<long[]> hot = java.util.Collections.synchronizedList(new ArrayList<>());
        byte[] hottestKey = "z0000".getBytes(StandardCharsets.UTF_8);
        AsyncConsumeWorker<ConsumerRecord<byte[], byte[]>> worker;
        QueueWorkerConfig.Builder config = QueueWorkerConfig.builder().ordering(OrderingMode.KEY);
        if (blocking) {
            config.workers(BLOCKING_THREADS).maxInFlight(BLOCKING_THREADS);
            worker = AsyncConsumeWorker.blocking((id, r) -> {
                long start = System.nanoTime();
                first.compareAndSet(0, start);
                BenchmarkSuite.remoteCall().join();
                long end = System.nanoTime();
                last.set(end);
                if (suite.trace && Arrays.equals(r.key(), hottestKey)) {
                    hot.add(new long[] {start, end});
                }
                done.incrementAndGet();
            });
        } else {
            config.workers(2).maxInFlight(ASYNC_IN_FLIGHT);
            worker = (id, r) -> {
                long start = System.nanoTime();
                first.compareAndSet(0, start);
                return BenchmarkSuite.remoteCall().thenRun(() -> {
                    long end = System.nanoTime();
                    last.set(end);
                    if (suite.trace && Arrays.equals(r.key(), hottestKey)) {
                        hot.add(new long[] {start, end});
                    }
                    done.incrementAndGet();
                });
            };
        }
        QueueWorker<ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(config.build(), RecordDecoder.identity(), worker);
        // --trace: when the hottest key's first record reached the queue, and what was queued then
        long[] hotQueued = {0, 0};
        io.syncer.consume.ConsumerGroupHandler handler = !suite.trace ? queue : new io.syncer.consume.ConsumerGroupHandler() {
            @Override
            public void setup(io.syncer.consume.GroupSession session) throws Exception {
                queue.setup(session);
            }

            @Override
            public void consumeClaim(io.syncer.consume.GroupSession session, io.syncer.consume.PartitionClaim claim)
                    throws Exception {
                if (hotQueued[0] == 0) {
                    for (ConsumerRecord<byte[], byte[]> r : claim.records()) {
                        if (Arrays.equals(r.key(), hottestKey)) {
                            hotQueued[0] = System.nanoTime();
                            hotQueued[1] = queue.stats().queued();
                            break;
                        }
                    }
                }
                queue.consumeClaim(session, claim);
            }

            @Override
            public void cleanup(io.syncer.consume.GroupSession session) throws Exception {
                queue.cleanup(session);
            }

            @Override
            public void close(Duration timeout, io.syncer.consume.DrainMode mode) throws Exception {
                queue.close(timeout, mode);
            }
        };
        ConsumerGroupManager manager = ConsumerGroupManager.create(suite.consumer(KafkaBroker.uniqueName("p8"), topic), handler);
        long cpu0 = os.getProcessCpuTime();
        manager.start();
        try {
            while (done.get() < records) {
                Thread.sleep(2);
            }
        } finally {
            manager.close(Duration.ofSeconds(30));
        }
        if (suite.trace) {
            System.out.printf("    hottest key's first record queued %.1f ms after the first record started, behind %d"
                    + " queued records%n", (hotQueued[0] - first.get()) / 1e6, hotQueued[1]);
            printHotKey(hot, first.get(), last.get());
        }
        return new double[] {(last.get() - first.get()) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9};
    }

    /** Where the hottest key's time between its calls went: its late start, its gaps, its early end. */
    private static void printHotKey(List<long[]> calls, long first, long last) {
        List<long[]> sorted = new ArrayList<>(calls);
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        if (sorted.isEmpty()) {
            return;
        }
        long gaps = 0;
        long maxGap = 0;
        long longGaps = 0;
        int longCount = 0;
        long work = 0;
        for (int i = 0; i < sorted.size(); i++) {
            work += sorted.get(i)[1] - sorted.get(i)[0];
            if (i > 0) {
                long gap = sorted.get(i)[0] - sorted.get(i - 1)[1];
                gaps += gap;
                maxGap = Math.max(maxGap, gap);
                if (gap > 1_000_000) {
                    longGaps += gap;
                    longCount++;
                }
            }
        }
        System.out.printf("    hottest key: %d calls, %.1f ms of calls (%.3f ms each); started %.1f ms after the first"
                        + " record, ended %.1f ms before the last; gaps %.1f ms in all (%.1f us each), max %.2f ms,"
                        + " %d over 1 ms (%.1f ms)%n", sorted.size(), work / 1e6, work / 1e6 / sorted.size(),
                (sorted.get(0)[0] - first) / 1e6, (last - sorted.get(sorted.size() - 1)[1]) / 1e6, gaps / 1e6,
                gaps / 1e3 / Math.max(1, sorted.size() - 1), maxGap / 1e6, longCount, longGaps / 1e6);
    }

    /** Each record's key index, drawn from Zipf(s) over {@link #KEYS} keys with a fixed seed. */
    static int[] zipfKeys(int records, double s) {
        double[] cumulative = new double[KEYS];
        double sum = 0;
        for (int k = 0; k < KEYS; k++) {
            sum += 1 / Math.pow(k + 1, s);
            cumulative[k] = sum;
        }
        Random random = new Random(42);
        int[] keys = new int[records];
        for (int i = 0; i < records; i++) {
            int at = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            keys[i] = Math.min(KEYS - 1, at >= 0 ? at : -at - 1);
        }
        return keys;
    }

    static int hottestCount(int[] keyOf) {
        int[] counts = new int[KEYS];
        int max = 0;
        for (int k : keyOf) {
            max = Math.max(max, ++counts[k]);
        }
        return max;
    }

    private void produce(String topic, int[] keyOf) {
        Map<String, Object> props = suite.producerProps();
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        byte[] value = new byte[192];
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(props).build())) {
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int k : keyOf) {
                batch.add(new ProducerRecord<>(topic, String.format("z%04d", k).getBytes(StandardCharsets.UTF_8), value));
            }
            for (SendResult r : producers.sendAll(batch)) {
                if (!r.succeeded()) {
                    throw new IllegalStateException("producing the data set failed", r.error());
                }
            }
        }
    }
}
