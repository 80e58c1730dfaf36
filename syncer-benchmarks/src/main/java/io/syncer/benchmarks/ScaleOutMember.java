package io.syncer.benchmarks;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One instance of P10's pipeline, in its own JVM: KEY order, 2 ms of I/O per record at a fixed concurrency. Prints
 * {@code FIRST <epoch ms>} at its first record, then every 50 ms {@code AT <epoch ms> <records done> <partitions
 * assigned>}; closes gracefully (and prints {@code LEFT <epoch ms>}) when the file named by its last argument appears.
 *
 * <p>Arguments: {@code bootstrap topic group protocol maxInFlight stopFile}, protocol {@code classic} or
 * {@code consumer}.
 */
final class ScaleOutMember {
    private ScaleOutMember() {
    }

    /**
     * Runs the member until the stop file appears.
     *
     * @param args {@code bootstrap topic group protocol maxInFlight stopFile}
     * @throws Exception on a failure
     */
    public static void main(String[] args) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong first = new AtomicLong();
        QueueWorker<ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(
                QueueWorkerConfig.builder().workers(2).maxInFlight(Integer.parseInt(args[4])).ordering(OrderingMode.KEY).build(),
                RecordDecoder.identity(), (id, r) -> {
                    first.compareAndSet(0, System.currentTimeMillis());
                    return BenchmarkSuite.remoteCall().thenRun(done::incrementAndGet);
                });
        ConsumerGroupManager manager = ConsumerGroupManager.create(ConsumerGroupConfig.builder().groupId(args[2])
                .topics(args[1]).bootstrapServers(args[0])
                .kafkaProperties(Map.of("group.protocol", args[3])).build(), queue);
        Path stop = Path.of(args[5]);
        manager.start();
        boolean printedFirst = false;
        while (!Files.exists(stop)) {
            Thread.sleep(50);
            if (!printedFirst && first.get() != 0) {
                System.out.println("FIRST " + first.get());
                printedFirst = true;
            }
            System.out.println("AT " + System.currentTimeMillis() + " " + done.get() + " " + manager.health().assignment().size());
        }
        long leaving = System.currentTimeMillis();
        manager.close(Duration.ofSeconds(30));
        System.out.println("LEFT " + leaving + " " + done.get());
        System.exit(0);
    }
}
