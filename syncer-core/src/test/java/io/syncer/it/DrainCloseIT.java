package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.consume.ManagerState;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * close() with DRAIN mid-run, with a full queue and slow workers: afterwards nothing is queued, the
 * committed offset of every partition is one past its last processed record with no gap below it,
 * and a restarted member re-processes none of those records.
 */
@WithKafka
@Timeout(120)
class DrainCloseIT {
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 1_000;

    @Test
    void drainLeavesNothingQueuedAndARestartReprocessesNothing(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("drain");
        String group = KafkaBroker.uniqueName("g-drain");
        broker.createTopic(topic, PARTITIONS);
        Records.produce(broker, topic, PARTITIONS, PER_PARTITION, i -> "k" + (i % 40));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties()).maxQueuedRecords(500).build();

        Records.Processed first = new Records.Processed();
        ConsumerGroupManager manager = ConsumerGroupManager.create(config, QueueWorker.create(
                QueueWorkerConfig.builder().workers(4).build(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    Thread.sleep(2);
                    first.add(r);
                })));
        manager.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> first.distinct() >= 300 && manager.health().queuedRecords() > 100);
        long queuedAtClose = manager.health().queuedRecords();
        manager.close(Duration.ofSeconds(30), DrainMode.DRAIN);
        assertEquals(ManagerState.CLOSED, manager.health().state());
        assertEquals(0, manager.health().queuedRecords(), "nothing left queued");
        assertTrue(first.distinct() < PARTITIONS * PER_PARTITION, "the close happened mid-run");

        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        for (int p = 0; p < PARTITIONS; p++) {
            Set<Long> offsets = first.offsets(topic, p);
            long last = offsets.stream().mapToLong(Long::longValue).max().orElse(-1);
            assertEquals(last + 1, committed.getOrDefault(new TopicPartition(topic, p), 0L),
                    "partition " + p + ": the final commit is one past the last processed record");
            assertEquals(last + 1, offsets.size(), "partition " + p + ": no gap below the committed offset");
        }

        Records.Processed second = new Records.Processed();
        try (ConsumerGroupManager restarted = ConsumerGroupManager.create(config, QueueWorker.create(
                QueueWorkerConfig.ofDefaults(), RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> second.add(r))))) {
            restarted.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.distinct() + second.distinct() == PARTITIONS * PER_PARTITION);
        }
        for (int p = 0; p < PARTITIONS; p++) {
            Set<Long> again = second.offsets(topic, p);
            again.retainAll(first.offsets(topic, p));
            assertEquals(Set.of(), again, "partition " + p + ": records processed again after a drained close");
        }
        System.out.printf("drain close: %d records queued or in flight at close, all finished; restart re-processed 0 of %d%n",
                queuedAtClose, first.distinct());
    }
}
