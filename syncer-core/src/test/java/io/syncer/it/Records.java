package io.syncer.it;

import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Integration-test helpers: produce known records, read group offsets and log ends independently. */
final class Records {
    private Records() {
    }

    static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
        Map<String, Object> p = broker.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        // one request at a time: offsets within a partition follow send order even across retries
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(p);
    }

    /** Writes {@code perPartition} records to each partition; keys from {@code keys}, values "topic:p:i". */
    static void produce(KafkaBroker broker, String topic, int partitions, int perPartition, IntFunction<String> keys) {
        try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    String key = keys.apply(i);
                    acks.add(producer.send(new ProducerRecord<>(topic, p,
                            key == null ? null : bytes(key), bytes(topic + ":" + p + ":" + i))));
                }
            }
            for (Future<?> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("produce to " + topic + " failed", e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The group's committed offsets, read with Admin (not through the code under test). */
    static Map<TopicPartition, Long> committed(KafkaBroker broker, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> m = broker.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            m.forEach((tp, o) -> {
                if (o != null) {
                    out.put(tp, o.offset());
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("listConsumerGroupOffsets " + group, e);
        }
    }

    /** Log-end offsets of every partition of {@code topic}. */
    static Map<TopicPartition, Long> endOffsets(KafkaBroker broker, String topic, int partitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try {
            return broker.admin().listOffsets(request).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("listOffsets " + topic, e);
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    /** Thread-safe log of processed records: distinct coordinates and how often each was processed. */
    static final class Processed {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        void add(ConsumerRecord<byte[], byte[]> r) {
            counts.computeIfAbsent(id(r.topic(), r.partition(), r.offset()), k -> new AtomicInteger()).incrementAndGet();
        }

        boolean contains(String topic, int partition, long offset) {
            return counts.containsKey(id(topic, partition, offset));
        }

        int distinct() {
            return counts.size();
        }

        long total() {
            return counts.values().stream().mapToLong(AtomicInteger::get).sum();
        }

        long duplicates() {
            return total() - distinct();
        }

        Set<Long> offsets(String topic, int partition) {
            String prefix = topic + "/" + partition + "@";
            return counts.keySet().stream().filter(k -> k.startsWith(prefix))
                    .map(k -> Long.parseLong(k.substring(prefix.length()))).collect(Collectors.toSet());
        }

        /** Coordinates of {@code perPartition} records per partition that were never processed. */
        List<String> missing(String topic, int partitions, long perPartition) {
            List<String> missing = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                for (long o = 0; o < perPartition; o++) {
                    if (!contains(topic, p, o)) {
                        missing.add(id(topic, p, o));
                    }
                }
            }
            return missing;
        }

        private static String id(String topic, int partition, long offset) {
            return topic + "/" + partition + "@" + offset;
        }
    }
}
