package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sarama defect 2: with two or more topics some partitions were never consumed. Three topics of
 * four partitions, subscribed by list and by pattern: every record of every partition is processed
 * and the committed offset of every partition reaches its log end.
 */
@WithKafka
@Timeout(120)
class MultiTopicConsumptionIT {
    private static final int TOPICS = 3;
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 500;

    @ParameterizedTest(name = "subscribe by {0}")
    @ValueSource(strings = {"list", "pattern"})
    void everyRecordOfEveryPartitionOfEveryTopicIsProcessed(String subscription, KafkaBroker broker) {
        String base = KafkaBroker.uniqueName("multi-" + subscription);
        String[] topics = new String[TOPICS];
        for (int t = 0; t < TOPICS; t++) {
            topics[t] = base + "-t" + t;
            broker.createTopic(topics[t], PARTITIONS);
            Records.produce(broker, topics[t], PARTITIONS, PER_PARTITION, i -> "k" + (i % 37));
        }
        String group = KafkaBroker.uniqueName("g-multi");
        ConsumerGroupConfig.Builder config = ConsumerGroupConfig.builder().groupId(group)
                .kafkaProperties(broker.clientProperties());
        if (subscription.equals("list")) {
            config.topics(topics);
        } else {
            config.topicPattern(Pattern.compile(Pattern.quote(base) + "-t\\d+"));
        }
        Records.Processed processed = new Records.Processed();
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.builder().workers(4).build(),
                RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> processed.add(r)));
        ConsumerGroupManager manager = ConsumerGroupManager.create(config.build(), queue);
        manager.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> processed.distinct() == TOPICS * PARTITIONS * PER_PARTITION);
        } finally {
            manager.close(Duration.ofSeconds(30));
        }
        for (String topic : topics) {
            assertEquals(List.of(), processed.missing(topic, PARTITIONS, PER_PARTITION), "unprocessed records of " + topic);
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(PER_PARTITION, processed.offsets(topic, p).size(), topic + "-" + p);
            }
        }
        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        for (String topic : topics) {
            Map<TopicPartition, Long> ends = Records.endOffsets(broker, topic, PARTITIONS);
            ends.forEach((tp, end) -> assertEquals(end, committed.get(tp), "committed offset of " + tp));
        }
        assertTrue(processed.duplicates() == 0, "no failures or rebalances, so no duplicates: " + processed.duplicates());
        await().atMost(Duration.ofSeconds(5)).until(() -> syncerThreads().isEmpty());
    }

    /** Live threads syncer started: none may outlive close (tests in this JVM run one at a time). */
    static List<String> syncerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("syncer-")).toList();
    }
}
