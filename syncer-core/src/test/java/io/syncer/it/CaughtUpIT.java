package io.syncer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.PartitionStatus;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "Am I caught up?" (issue 16, item 4): false while work is held back and before the log ends are known, true once
 * every record is processed and committed, checked against Admin's end and committed offsets; an empty partition
 * does not hold it back.
 */
@WithKafka
@Timeout(120)
class CaughtUpIT {
    @Test
    void caughtUpIsFalseUntilEveryRecordIsCommittedAndTrueAtTheLogEnd(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("caught-up");
        String group = KafkaBroker.uniqueName("g-caught-up");
        broker.createTopic(topic, 3);
        // partitions 0 and 1 get records, partition 2 stays empty
        Records.produce(broker, topic, 2, 500, i -> "k" + i);
        CountDownLatch gate = new CountDownLatch(1);
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(ConsumerGroupConfig.builder().groupId(group)
                        .topics(topic).kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200)).build(),
                QueueWorker.create(QueueWorkerConfig.builder().workers(2).build(), RecordDecoder.identity(),
                        AsyncConsumeWorker.blocking((id, r) -> gate.await())))) {
            assertFalse(manager.health().isCaughtUp(), "not started: not caught up");
            manager.start();
            assertFalse(manager.health().isCaughtUp(), "starting: the log ends are unknown");
            assertFalse(manager.awaitCaughtUp(Duration.ofSeconds(3)), "records are held in the workers");
            PartitionStatus p0 = manager.health().partitions().get(new TopicPartition(topic, 0));
            assertFalse(p0 != null && p0.caughtUp(), "partition 0 is not caught up: " + p0);
            gate.countDown();
            assertTrue(manager.awaitCaughtUp(Duration.ofSeconds(60)), "caught up once the workers finish: "
                    + manager.health().partitions());
            Map<TopicPartition, Long> end = broker.endOffsets(topic);
            Map<TopicPartition, Long> committed = broker.committedOffsets(group);
            assertEquals(500L, end.get(new TopicPartition(topic, 0)));
            assertEquals(500L, committed.get(new TopicPartition(topic, 0)), "caught up means committed at the log end");
            assertEquals(500L, committed.get(new TopicPartition(topic, 1)));
            assertTrue(manager.health().partitions().get(new TopicPartition(topic, 2)).caughtUp(), "an empty partition");
        }
    }

    /**
     * Issue 12: the demo showed lag 11,210 with 100,000 records produced and 35 done. A paused partition is not
     * fetched, so the log end of its last fetch went stale, and with it lag and caught-up. Its lag must follow the
     * log end (and it must not read caught up) while it stays paused.
     */
    @Test
    void thePausedPartitionsLagFollowsItsLogEnd(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("paused-lag");
        String group = KafkaBroker.uniqueName("g-paused-lag");
        broker.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        Records.produce(broker, topic, 1, 500, i -> "k" + i);
        CountDownLatch gate = new CountDownLatch(1);
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(ConsumerGroupConfig.builder().groupId(group)
                        .topics(topic).kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200))
                        .maxQueuedRecords(100).build(),
                QueueWorker.create(QueueWorkerConfig.builder().workers(1).build(), RecordDecoder.identity(),
                        AsyncConsumeWorker.blocking((id, r) -> gate.await())))) {
            manager.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> manager.health().pausedPartitions().contains(tp));
            Records.produce(broker, topic, 1, 2_000, i -> "k" + i);
            assertEquals(2_500L, broker.endOffsets(topic).get(tp));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertEquals(2_500L, manager.health().partitions().get(tp).logEndOffset(),
                            "the paused partition's log end: " + manager.health().partitions().get(tp)));
            assertTrue(manager.health().pausedPartitions().contains(tp), "still paused");
            assertEquals(2_500L, manager.health().partitions().get(tp).lag(), "nothing committed yet: lag is the log end");
            assertFalse(manager.health().isCaughtUp());
            gate.countDown();
            assertTrue(manager.awaitCaughtUp(Duration.ofSeconds(60)));
        }
    }
}
