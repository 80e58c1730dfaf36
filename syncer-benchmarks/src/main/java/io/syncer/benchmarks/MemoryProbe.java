package io.syncer.benchmarks;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.DrainMode;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * P4's pipeline, run by {@link BenchmarkSuite} in a child JVM whose heap is capped, so that "the
 * heap stays bounded" is shown by the process surviving, not only by a reading. A slow sink (20 ms
 * per batch of 1,000, one batch at a time) sits behind a backlog far larger than the queue bound.
 * Every 500 ms the probe collects garbage and reads the live heap.
 *
 * <p>Arguments: {@code bootstrap topic group seconds maxQueuedBytes}. Prints one line,
 * {@code PROBE idleMb peakLiveMb peakQueuedMb peakQueuedRecords records seconds}, and exits 0;
 * an {@link OutOfMemoryError} exits non-zero.
 */
final class MemoryProbe {
    private MemoryProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args {@code bootstrap topic group seconds maxQueuedBytes}
     * @throws Exception on a failure
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        Duration runFor = Duration.ofSeconds(Long.parseLong(args[3]));
        long maxQueuedBytes = Long.parseLong(args[4]);

        System.gc();
        Thread.sleep(200);
        double idleMb = usedHeapMb();
        AtomicLong done = new AtomicLong();
        Sink<ConsumerRecord<byte[], byte[]>> slow = new Sink<>() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public BatchPolicy batchPolicy() {
                return BatchPolicy.builder().maxRecords(1_000).linger(Duration.ofMillis(5)).maxInFlight(1).build();
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<ConsumerRecord<byte[], byte[]>>> batch) {
                done.addAndGet(batch.size());
                return CompletableFuture.supplyAsync(() -> Collections.nCopies(batch.size(), SinkResult.ok()),
                        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
            }
        };
        Syncer syncer = Syncer.builder(RecordDecoder.identity())
                .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic).bootstrapServers(bootstrap)
                        .maxQueuedRecords(1_000_000).maxQueuedBytes(maxQueuedBytes).build())
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                .sink(slow).build();
        long t0 = System.nanoTime();
        syncer.start();
        double peakLiveMb = 0;
        long peakQueuedBytes = 0;
        long peakQueuedRecords = 0;
        String histogram = null;
        while (System.nanoTime() - t0 < runFor.toNanos()) {
            Thread.sleep(500);
            peakQueuedBytes = Math.max(peakQueuedBytes, syncer.health().queuedBytes());
            peakQueuedRecords = Math.max(peakQueuedRecords, syncer.health().queuedRecords());
            System.gc();
            double live = usedHeapMb();
            if (live > peakLiveMb && Boolean.getBoolean("probe.histogram")) {
                histogram = classHistogram();
            }
            peakLiveMb = Math.max(peakLiveMb, live);
        }
        if (histogram != null) {
            System.out.println(histogram);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        syncer.close(Duration.ofSeconds(30), DrainMode.ABANDON);
        System.out.printf("PROBE %.1f %.1f %.1f %d %d %.1f%n", idleMb, peakLiveMb, peakQueuedBytes / (1024.0 * 1024.0),
                peakQueuedRecords, done.get(), seconds);
        System.exit(0);
    }

    /** The live objects by class, as {@code jmap -histo:live} prints them (first 40 lines). */
    private static String classHistogram() throws Exception {
        Object out = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        return String.join("\n", String.valueOf(out).lines().limit(40).toList());
    }

    private static double usedHeapMb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }
}
