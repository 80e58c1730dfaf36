package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.commit.OffsetResetPolicy;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import io.syncer.consume.PartitionFailure;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sarama defect 3: an out-of-range offset silently rewound the group to the oldest record.
 *
 * <p>Set-up for every case: partition 0 holds offsets 0..199 and the group's committed offset is
 * 100, then records before 150 are deleted, so 100 is out of range. Offsets 150..174 carry a
 * timestamp three hours old, 175..199 a current one. Partition 1 is healthy (committed 0, 50 records).
 */
@WithKafka
@Timeout(120)
class OffsetResetIT {
    private final KafkaBroker broker;

    OffsetResetIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @Test
    void defaultPolicyFailsThePartitionClosedAndDoesNotRewind() throws Exception {
        Fixture f = new Fixture("fail");
        try (ConsumerGroupManager manager = f.start(null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> manager.health().failedPartitions().containsKey(f.p0));
            await().atMost(Duration.ofSeconds(20)).until(() -> f.processed.offsets(f.topic, 1).size() == 50);
            GroupHealth health = manager.health();
            PartitionFailure failure = health.failedPartitions().get(f.p0);
            assertEquals(100, failure.offset());
            assertTrue(failure.reason().contains("out of range [150, 200]"), failure.reason());
            assertEquals(ManagerState.DEGRADED, health.state());
            assertEquals(Set.of(f.p0), health.failedPartitions().keySet(), "only the out-of-range partition fails");
            Thread.sleep(2_000); // give a silent rewind every chance to show
            assertEquals(Set.of(), f.processed.offsets(f.topic, 0), "partition 0 must not be re-read from anywhere");
        }
        Map<TopicPartition, Long> committed = Records.committed(broker, f.group);
        assertEquals(100L, committed.get(f.p0), "the committed offset of the failed partition is untouched");
        assertEquals(50L, committed.get(f.p1), "the healthy partition kept going");
    }

    @Test
    void earliestPolicyRestartsAtTheLogStart() throws Exception {
        Fixture f = new Fixture("earliest");
        try (ConsumerGroupManager manager = f.start(OffsetResetPolicy.toEarliest())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> f.processed.offsets(f.topic, 0).size() == 50);
            assertEquals(range(150, 200), new TreeSet<>(f.processed.offsets(f.topic, 0)));
            assertTrue(manager.health().failedPartitions().isEmpty());
        }
        assertEquals(200L, Records.committed(broker, f.group).get(f.p0));
    }

    @Test
    void latestPolicySkipsToTheLogEndAndConsumesOnlyNewRecords() throws Exception {
        Fixture f = new Fixture("latest");
        try (ConsumerGroupManager manager = f.start(OffsetResetPolicy.toLatest())) {
            // The reset is committed at once, so it is visible to an independent reader.
            await().atMost(Duration.ofSeconds(20)).until(() -> Records.committed(broker, f.group).get(f.p0) == 200L);
            f.produce(0, 10, System.currentTimeMillis());
            await().atMost(Duration.ofSeconds(20)).until(() -> f.processed.offsets(f.topic, 0).size() == 10);
            Thread.sleep(500);
            assertEquals(range(200, 210), new TreeSet<>(f.processed.offsets(f.topic, 0)));
            assertTrue(manager.health().failedPartitions().isEmpty());
        }
    }

    @Test
    void byDurationPolicyStartsAtTheFirstRecordWithinTheLookBack() throws Exception {
        Fixture f = new Fixture("duration");
        try (ConsumerGroupManager manager = f.start(OffsetResetPolicy.byDuration(Duration.ofHours(1)))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> f.processed.offsets(f.topic, 0).size() == 25);
            Thread.sleep(500);
            assertEquals(range(175, 200), new TreeSet<>(f.processed.offsets(f.topic, 0)));
            assertTrue(manager.health().failedPartitions().isEmpty());
        }
    }

    private static Set<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    private final class Fixture {
        final String topic = KafkaBroker.uniqueName("reset");
        final String group;
        final TopicPartition p0 = new TopicPartition(topic, 0);
        final TopicPartition p1 = new TopicPartition(topic, 1);
        final Records.Processed processed = new Records.Processed();

        Fixture(String name) throws Exception {
            group = KafkaBroker.uniqueName("g-reset-" + name);
            broker.createTopic(topic, 2);
            long now = System.currentTimeMillis();
            long old = now - Duration.ofHours(3).toMillis();
            produce(0, 175, old);
            produce(0, 25, now);
            produce(1, 50, now);
            broker.admin().alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(100), p1, new OffsetAndMetadata(0)))
                    .all().get(10, TimeUnit.SECONDS);
            broker.admin().deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(150))).all().get(10, TimeUnit.SECONDS);
        }

        void produce(int partition, int count, long timestamp) throws Exception {
            try (KafkaProducer<byte[], byte[]> producer = Records.producer(broker)) {
                for (int i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>(topic, partition, timestamp, null, Records.bytes("v" + i))).get();
                }
            }
        }

        ConsumerGroupManager start(OffsetResetPolicy policy) {
            ConsumerGroupConfig.Builder config = ConsumerGroupConfig.builder().groupId(group).topics(List.of(topic))
                    .kafkaProperties(broker.clientProperties());
            if (policy != null) {
                config.offsetResetPolicy(policy);
            }
            QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.ofDefaults(), RecordDecoder.identity(),
                    AsyncConsumeWorker.blocking((id, r) -> processed.add(r)));
            ConsumerGroupManager manager = ConsumerGroupManager.create(config.build(), queue);
            manager.start();
            return manager;
        }
    }
}
