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
}
