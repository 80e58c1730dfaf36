package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sarama defect 1: partitions added at runtime were not consumed until restart. Records written to
 * new partitions — including those written before the member saw them — and to a new topic matching
 * the pattern are processed within 15 s, with the classic and the KIP-848 group protocol and the
 * manager's default metadata refresh.
 */
@WithKafka
@Timeout(120)
class PartitionDiscoveryIT {
    private static final Duration WITHIN = Duration.ofSeconds(15);

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void addedPartitionsAndNewMatchingTopicsAreConsumedWithoutRestart(String protocol, KafkaBroker broker) throws Exception {
        String base = KafkaBroker.uniqueName("disc-" + protocol);
        String topic = base + "-a";
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, 10, i -> "k" + i);

        Records.Processed processed = new Records.Processed();
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.ofDefaults(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> processed.add(r)));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder()
                .groupId(KafkaBroker.uniqueName("g-disc"))
                .topicPattern(Pattern.compile(Pattern.quote(base) + "-.*"))
                .kafkaProperties(broker.clientProperties())
                .kafkaProperty("group.protocol", protocol)
                .build();
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
            manager.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> processed.distinct() == 20);

            // Grow the topic and write to every partition at once, before the member can have seen the new ones.
            broker.admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(6))).all().get(10, TimeUnit.SECONDS);
            String newTopic = base + "-b";
            broker.createTopic(newTopic, 3);
            long written = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = Records.producer(broker)) {
                for (int p = 0; p < 6; p++) {
                    producer.send(new ProducerRecord<>(topic, p, null, Records.bytes("after-grow-" + p))).get();
                }
                for (int p = 0; p < 3; p++) {
                    producer.send(new ProducerRecord<>(newTopic, p, null, Records.bytes("new-topic-" + p))).get();
                }
            }
            await().atMost(WITHIN).until(() -> processed.distinct() == 20 + 6 + 3);
            long tookMs = (System.nanoTime() - written) / 1_000_000;
            System.out.printf("group.protocol=%s: new partitions and topic consumed %d ms after the write%n", protocol, tookMs);

            for (int p = 2; p < 6; p++) {
                assertEquals(List.of(0L), List.copyOf(processed.offsets(topic, p)), "new partition " + p);
            }
            for (int p = 0; p < 3; p++) {
                assertEquals(List.of(0L), List.copyOf(processed.offsets(newTopic, p)), "new topic partition " + p);
            }
        }
    }
}
