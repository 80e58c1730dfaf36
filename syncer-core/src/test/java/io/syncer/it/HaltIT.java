package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import io.syncer.consume.PartitionFailure;
import io.syncer.failure.RetryPolicy;
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
 * The default dead-letter policy, HALT, on a real broker: one record of partition 1 always fails.
 * Exactly partition 1 stops and is reported; partitions 0 and 2 are consumed to the end; partition
 * 1's committed offset is exactly the failing record's, before and after close.
 */
@WithKafka
@Timeout(90)
class HaltIT {
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 300;
    private static final long BAD_OFFSET = 120;

    @Test
    void haltStopsExactlyTheAffectedPartitionAndCommitsNothingPastIt(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("halt");
        String group = KafkaBroker.uniqueName("g-halt");
        broker.createTopic(topic, PARTITIONS);
        Records.produce(broker, topic, PARTITIONS, PER_PARTITION, i -> "k" + (i % 20));
        TopicPartition bad = new TopicPartition(topic, 1);

        Records.Processed processed = new Records.Processed();
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.builder()
                        .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10))
                                .maxBackoff(Duration.ofMillis(20)).build()).build(),
                RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> {
                    if (r.partition() == 1 && r.offset() == BAD_OFFSET) {
                        throw new IllegalStateException("cannot store this record");
                    }
                    processed.add(r);
                }));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(100)).build();
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
            manager.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> manager.health().failedPartitions().containsKey(bad)
                    && processed.offsets(topic, 0).size() == PER_PARTITION && processed.offsets(topic, 2).size() == PER_PARTITION);
            await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(BAD_OFFSET).equals(Records.committed(broker, group).get(bad)));
            GroupHealth health = manager.health();
            assertEquals(ManagerState.DEGRADED, health.state());
            assertEquals(Set.of(bad), health.failedPartitions().keySet(), "only the affected partition stops");
            PartitionFailure failure = health.failedPartitions().get(bad);
            assertEquals(BAD_OFFSET, failure.offset());
            assertTrue(failure.reason().contains("retries-exhausted after 3 attempt(s)")
                    && failure.reason().contains("cannot store this record"), failure.reason());
            for (long o = 0; o < BAD_OFFSET; o++) {
                assertTrue(processed.contains(topic, 1, o), "records before the halt are processed: " + o);
            }
            Thread.sleep(1_000);
            assertEquals(BAD_OFFSET, Records.committed(broker, group).get(bad), "nothing past the halted record is committed");
        }
        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        assertEquals(BAD_OFFSET, committed.get(bad), "not even by the final commit on close");
        assertEquals(PER_PARTITION, committed.get(new TopicPartition(topic, 0)));
        assertEquals(PER_PARTITION, committed.get(new TopicPartition(topic, 2)));
        assertTrue(!processed.contains(topic, 1, BAD_OFFSET));
    }
}
