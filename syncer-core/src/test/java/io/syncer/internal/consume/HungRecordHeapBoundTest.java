package io.syncer.internal.consume;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.PartitionClaim;
import io.syncer.metrics.SyncerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 3 of issue 11, measured: one record that never finishes, while millions of records pass. Two partitions
 * are fed alike; the first record of partition 0 never finishes, everything else finishes at once. The partition
 * with the hung record pauses {@code maxQueuedRecords} behind it, the other one goes on, and the heap stays flat.
 * Before the fix the hung record's partition kept being consumed and its offset ring grew by a slot per record.
 * Runs 1,000,000 records; {@code -Dsyncer.hung.records=10000000} runs the figure in docs/benchmarks.md.
 */
@Timeout(600)
class HungRecordHeapBoundTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void theHeapStaysBoundedBehindARecordThatNeverFinishes() throws Exception {
        long total = Long.getLong("syncer.hung.records", 1_000_000L);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("none");
        AtomicLong done = new AtomicLong();
        AtomicLong handedP0 = new AtomicLong();
        AtomicReference<PartitionClaim> hung = new AtomicReference<>();
        ConsumerGroupHandler handler = (session, claim) -> {
            for (ConsumerRecord<byte[], byte[]> r : claim.records()) {
                if (r.partition() == 0) {
                    handedP0.incrementAndGet();
                }
                if (r.partition() == 0 && r.offset() == 0) {
                    hung.set(claim); // never marked: a stage that never completes
                } else {
                    claim.markProcessed(r);
                    done.incrementAndGet();
                }
            }
        };
        DefaultConsumerGroupManager manager = new DefaultConsumerGroupManager(ConsumerGroupConfig.builder().groupId("g")
                .topics("t").bootstrapServers("unused:9092").maxQueuedRecords(10_000).build(), handler,
                SyncerMetrics.NOOP, props -> consumer);
        long[] next = new long[2];
        byte[] value = new byte[100];
        Runnable feed = new Runnable() {
            @Override
            public void run() {
                for (TopicPartition tp : List.of(P0, P1)) {
                    if (consumer.paused().contains(tp)) {
                        continue; // a broker would not return records of a paused partition either
                    }
                    long position = consumer.position(tp);
                    int i = tp.partition();
                    next[i] = Math.max(next[i], position);
                    for (int k = 0; k < 5_000 && next[i] < total / 2; k++) {
                        consumer.addRecord(new ConsumerRecord<>("t", i, next[i]++, null, value));
                    }
                }
                consumer.schedulePollTask(this);
            }
        };
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.seek(P0, 0);
            consumer.seek(P1, 0);
            feed.run();
        });
        long before = usedAfterGc();
        long peak = before;
        manager.start();
        try {
            long half = total / 2;
            while (done.get() < half - 1) {
                Thread.sleep(200);
                peak = Math.max(peak, usedAfterGc());
            }
            long grown = (peak - before) / (1024 * 1024);
            System.out.printf("hung record: %d records done on partition 1, %d handed on partition 0 behind the hung"
                    + " one; heap after GC grew by at most %d MB%n", done.get(), handedP0.get(), grown);
            assertTrue(handedP0.get() <= 10_000 + 5_000, "partition 0 paused near maxQueuedRecords behind its hung record: "
                    + handedP0.get());
            assertTrue(grown < 64, "the heap stayed bounded: grew " + grown + " MB");
            await().atMost(Duration.ofSeconds(10)).until(() -> manager.health().pausedPartitions().contains(P0));
        } finally {
            manager.close(Duration.ofSeconds(10), DrainMode.ABANDON);
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
