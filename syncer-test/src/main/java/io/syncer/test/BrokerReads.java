package io.syncer.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Independent reads of a broker for tests' assertions: plain Kafka clients and Admin calls, none of
 * syncer's code, so a test never checks syncer with syncer. Reached through {@link KafkaBroker}'s
 * default methods.
 */
final class BrokerReads {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link #readAll} keeps reading after it has the expected count, to catch extra records. */
    private static final Duration QUIET = Duration.ofSeconds(2);

    private BrokerReads() {
    }

    static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
        Map<String, Object> props = broker.clientProperties();
        props.put("key.serializer", ByteArraySerializer.class);
        props.put("value.serializer", ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }

    static Map<TopicPartition, Long> endOffsets(KafkaBroker broker, String topic) throws Exception {
        TopicDescription d = broker.admin().describeTopics(List.of(topic)).allTopicNames()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        broker.admin().listOffsets(request).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    static Map<TopicPartition, Long> committed(KafkaBroker broker, String group) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        broker.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((tp, o) -> {
                    if (o != null) {
                        out.put(tp, o.offset());
                    }
                });
        return out;
    }

    static void awaitCommitted(KafkaBroker broker, String group, String topic, Duration timeout) throws Exception {
        Map<TopicPartition, Long> end = endOffsets(broker, topic);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> committed = Map.of();
        while (System.nanoTime() < deadline) {
            committed = committed(broker, group);
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    done = false;
                    break;
                }
            }
            if (done) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("group " + group + " did not commit " + topic + " up to " + end + " within " + timeout
                + "; committed: " + committed);
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaBroker broker, String topic, int expected, Duration timeout) {
        Map<String, Object> props = broker.clientProperties();
        props.put("group.id", KafkaBroker.uniqueName("reader"));
        props.put("auto.offset.reset", "earliest");
        props.put("key.deserializer", ByteArrayDeserializer.class);
        props.put("value.deserializer", ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + QUIET.toNanos();
                }
            }
        }
        return out;
    }

    static String header(ConsumerRecord<?, ?> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
