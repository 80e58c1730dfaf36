package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stall watchdog: a worker hangs on one record of partition 0. Once the partition's committed
 * offset has stood still for the stall timeout while it lags, health reports it (and only it) as
 * stalled and the manager as DEGRADED; when the worker recovers, the report clears.
 */
@WithKafka
@Timeout(90)
class StallWatchdogIT {
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void reportsAPartitionWhoseWorkerHangsAndClearsWhenItRecovers(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("stall");
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, 100, i -> "k" + i);
        TopicPartition p0 = new TopicPartition(topic, 0);
        CountDownLatch hang = new CountDownLatch(1);
        Records.Processed processed = new Records.Processed();
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.builder().ordering(OrderingMode.PARTITION).build(),
                RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> {
                    if (r.partition() == 0 && r.offset() == 50) {
                        hang.await();
                    }
                    processed.add(r);
                }));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(KafkaBroker.uniqueName("g-stall")).topics(topic)
                .kafkaProperties(broker.clientProperties())
                .commitInterval(Duration.ofMillis(200))
                .stallTimeout(STALL_TIMEOUT)
                .build();
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
            manager.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> processed.offsets(topic, 1).size() == 100
                    && processed.offsets(topic, 0).size() == 50);
            long hungAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).until(() -> !manager.health().stalledPartitions().isEmpty());
            long detectedMs = (System.nanoTime() - hungAt) / 1_000_000;
            GroupHealth health = manager.health();
            assertEquals(Set.of(p0), health.stalledPartitions(), "only the hung partition is stalled");
            assertEquals(ManagerState.DEGRADED, health.state());
            assertTrue(health.partitions().get(p0).stalled());
            assertEquals(50, health.partitions().get(p0).committedOffset());
            assertEquals(50, health.partitions().get(p0).lag(), "50 records behind the log end");
            assertTrue(detectedMs <= STALL_TIMEOUT.toMillis() + 5_000, "reported " + detectedMs + " ms after the hang");

            hang.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> manager.health().stalledPartitions().isEmpty());
            assertEquals(ManagerState.RUNNING, manager.health().state());
            await().atMost(Duration.ofSeconds(10)).until(() -> manager.health().partitions().get(p0).lag() == 0);
            System.out.printf("stall watchdog: reported %d ms after the worker hung (timeout %s), cleared after recovery%n",
                    detectedMs, STALL_TIMEOUT);
        }
    }
}
