package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ChildProcessKafkaBrokerIT {

    private static final int RECORDS = 100;
    private static final long COMMITTED_OFFSET = 42;

    @Test
    void recordsAndCommittedOffsetsSurviveAKillAndRestart() throws Exception {
        try (ChildProcessKafkaBroker broker = ChildProcessKafkaBroker.start()) {
            String bootstrapServers = broker.bootstrapServers();
            String topic = KafkaBroker.uniqueName("child-it");
            String group = KafkaBroker.uniqueName("child-it-group");
            TopicPartition partition0 = new TopicPartition(topic, 0);
            broker.createTopic(topic, 2);
            TestRecords.produce(broker, topic, RECORDS);
            commit(broker, group, partition0, COMMITTED_OFFSET);

            broker.kill();
            assertUnreachable(broker, topic);

            broker.restart();
            assertEquals(bootstrapServers, broker.bootstrapServers());
            List<ConsumerRecord<String, String>> records = TestRecords.readAll(broker, topic, 2, RECORDS);
            assertEquals(new TreeSet<>(TestRecords.values(RECORDS)),
                    records.stream().map(ConsumerRecord::value).collect(Collectors.toCollection(TreeSet::new)));
            Map<TopicPartition, OffsetAndMetadata> committed =
                    broker.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            assertEquals(Map.of(partition0, new OffsetAndMetadata(COMMITTED_OFFSET)), committed);

            broker.stop();
            assertUnreachable(broker, topic);
        }
    }

    private static void commit(KafkaBroker broker, String group, TopicPartition partition, long offset) {
        Map<String, Object> config = broker.clientProperties();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset)));
        }
    }

    /** A new producer and the shared admin both fail within seconds while the broker is down. */
    private static void assertUnreachable(KafkaBroker broker, String topic) {
        long startNanos = System.nanoTime();
        ExecutionException adminFailure = assertThrows(ExecutionException.class, () -> broker.admin()
                .describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get());
        assertInstanceOf(TimeoutException.class, adminFailure.getCause());

        Map<String, Object> config = broker.clientProperties();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            ExecutionException produceFailure = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "key", "value")).get());
            assertInstanceOf(TimeoutException.class, produceFailure.getCause());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        assertTrue(elapsed.compareTo(Duration.ofSeconds(15)) < 0, "failing took " + elapsed);
    }
}
