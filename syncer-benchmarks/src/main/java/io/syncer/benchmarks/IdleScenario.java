package io.syncer.benchmarks;

import io.syncer.consume.ConsumerGroupManager;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * P9 (issue 14, target 2): what a pipeline costs while there is nothing to consume. 48 assigned partitions of an
 * empty topic, 128 worker threads, KEY order; process CPU seconds per idle minute against a bare {@code KafkaConsumer}
 * poll loop with the same fetch settings on the same partitions, in the same run. Measured after the member joined,
 * twice: the process's CPU, and the CPU of its Java threads alone (the consumers', syncer's, the suite's), which leaves
 * out the collector and the JIT compiler, whose work in an idle minute says more about the suite than the pipeline.
 */
final class IdleScenario {
    private static final int PARTITIONS = 48;
    private static final int WORKERS = 128;

    private final BenchmarkSuite suite;

    IdleScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int seconds = suite.quick ? 5 : 30;
        int reps = suite.quick ? 1 : 3;
        String topic = KafkaBroker.uniqueName("p9");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        System.out.printf("P9: idle for %d s after joining, %d repetition(s) each, alternating%n", seconds, reps);
        List<Double> bare = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        List<Double> bareThreads = new ArrayList<>();
        List<Double> ourThreads = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            double[] b = bareLoop(topic, seconds);
            double[] o = pipeline(topic, seconds);
            bare.add(b[0]);
            bareThreads.add(b[1]);
            ours.add(o[0]);
            ourThreads.add(o[1]);
            System.out.printf("  rep %d: bare loop %.3f CPU s per idle minute (threads %.3f), syncer %.3f (threads %.3f)%n",
                    rep + 1, b[0], b[1], o[0], o[1]);
        }
        double b = Measurement.median(bare);
        double s = Measurement.median(ours);
        double bt = Measurement.median(bareThreads);
        double st = Measurement.median(ourThreads);
        String scenario = "P9 idle, " + PARTITIONS + " partitions assigned, nothing to consume";
        suite.addRow(String.format("| %s | bare poll loop (CPU s per idle minute in the CPU column) | 0 | - | %.3f | - | - | 1.00 |",
                scenario, b));
        suite.addRow(String.format("| %s | syncer, %d worker threads, KEY order | 0 | - | %.3f | - | - | **%.2f** |",
                scenario, WORKERS, s, s / b));
        suite.addRow(String.format("| %s, Java threads only | bare poll loop | 0 | - | %.3f | - | - | 1.00 |", scenario, bt));
        suite.addRow(String.format("| %s, Java threads only | syncer, %d worker threads, KEY order | 0 | - | %.3f | - | - | **%.2f** |",
                scenario, WORKERS, st, st / bt));
    }

    private double[] bareLoop(String topic, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean joined = new AtomicBoolean();
        Thread loop = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(suite.consumerProps(KafkaBroker.uniqueName("p9-bare")))) {
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                    consumer.poll(Duration.ofMillis(500));
                    if (consumer.assignment().size() == PARTITIONS) {
                        joined.set(true);
                    }
                    consumer.commitAsync();
                }
            }
        }, "p9-bare-loop");
        loop.start();
        try {
            return idleCpuPerMinute(joined, seconds);
        } finally {
            stop.set(true);
            loop.join(30_000);
        }
    }

    private double[] pipeline(String topic, int seconds) throws Exception {
        QueueWorker<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(
                QueueWorkerConfig.builder().workers(WORKERS).ordering(OrderingMode.KEY).build(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> { }));
        ConsumerGroupManager manager = ConsumerGroupManager.create(suite.consumer(KafkaBroker.uniqueName("p9"), topic), queue);
        AtomicBoolean joined = new AtomicBoolean();
        manager.start();
        try {
            Thread watcher = new Thread(() -> {
                while (manager.health().assignment().size() < PARTITIONS) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                joined.set(true);
            }, "p9-join-watch");
            watcher.start();
            return idleCpuPerMinute(joined, seconds);
        } finally {
            manager.close(Duration.ofSeconds(30));
        }
    }

    /**
     * Waits for {@code joined}, settles a second, then measures over {@code seconds} the process's CPU and its Java
     * threads' CPU, each per minute.
     */
    private static double[] idleCpuPerMinute(AtomicBoolean joined, int seconds) throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!joined.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("P9: the member did not get its " + PARTITIONS + " partitions in 60 s");
            }
            Thread.sleep(20);
        }
        Thread.sleep(1_000);
        java.util.Map<Long, Long> threads0 = threadCpu();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long threadNanos = 0;
        for (java.util.Map.Entry<Long, Long> e : threadCpu().entrySet()) {
            threadNanos += e.getValue() - threads0.getOrDefault(e.getKey(), 0L); // a thread started meanwhile counts whole
        }
        return new double[] {cpu * 60 / elapsed, threadNanos / 1e9 * 60 / elapsed};
    }

    /** CPU nanoseconds of every live Java thread, by id (threads that ended meanwhile are left out on both sides). */
    private static java.util.Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            long nanos = mx.getThreadCpuTime(id);
            if (nanos >= 0) {
                out.put(id, nanos);
            }
        }
        return out;
    }
}
