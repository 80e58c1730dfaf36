package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Poison records on a real broker: malformed JSON, null values (tombstones) and records whose
 * worker always throws land in a dead-letter topic with fewer partitions than the source, carrying
 * the documented headers after the configured attempts; everything else is processed; and a
 * watcher proves that no committed offset passed a poison record before its dead-letter record
 * was in the dead-letter topic.
 */
@WithKafka
@Timeout(120)
class DeadLetterIT {
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 400;
    private static final int MAX_ATTEMPTS = 3;

    /** The item the worker receives. */
    public static final class AccessLog {
        public String id;
        public String appid;
    }

    @Test
    void poisonRecordsAreDeadLetteredWithHeadersAndEverythingElseIsProcessed(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("poison");
        String dlt = topic + ".dlt";
        String group = KafkaBroker.uniqueName("g-poison");
        broker.createTopic(topic, PARTITIONS);
        broker.createTopic(dlt, 2);

        // expected reason per poison coordinate: "p:o" -> kind
        Map<String, String> poison = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = Records.producer(broker)) {
            List<Future<?>> acks = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    String key = "app" + (i % 13);
                    byte[] value = Records.bytes("{\"id\":\"" + p + "-" + i + "\",\"appid\":\"" + key + "\"}");
                    if (i % 50 == 7) {
                        value = Records.bytes("{\"id\":\"" + p + "-" + i + "\", broken");
                        poison.put(p + ":" + i, "malformed");
                    } else if (i % 97 == 11) {
                        value = null;
                        poison.put(p + ":" + i, "null");
                    } else if (i % 61 == 5) {
                        key = "blocked-tenant";
                        value = Records.bytes("{\"id\":\"" + p + "-" + i + "\",\"appid\":\"blocked-tenant\"}");
                        poison.put(p + ":" + i, "worker");
                    }
                    acks.add(producer.send(new ProducerRecord<>(topic, p, Records.bytes(key), value)));
                }
            }
            for (Future<?> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        }

        Set<String> processed = ConcurrentHashMap.newKeySet();
        Map<String, ConsumerRecord<byte[], byte[]>> dead = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicLong samples = new AtomicLong();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> dltReader = reader(broker, dlt)) {
                while (watching.get()) {
                    Map<TopicPartition, Long> committed;
                    try {
                        committed = Records.committed(broker, group);
                    } catch (IllegalStateException e) {
                        continue;
                    }
                    // the dead-letter write was acknowledged before any commit past it, so it is readable now
                    Map<TopicPartition, Long> ends = Records.endOffsets(broker, dlt, 2);
                    while (ends.entrySet().stream().anyMatch(e -> dltReader.position(e.getKey()) < e.getValue())) {
                        for (ConsumerRecord<byte[], byte[]> r : dltReader.poll(Duration.ofMillis(100))) {
                            dead.put(header(r, DeadLetterHeaders.ORIGINAL_PARTITION) + ":"
                                    + header(r, DeadLetterHeaders.ORIGINAL_OFFSET), r);
                        }
                    }
                    committed.forEach((tp, c) -> poison.keySet().forEach(coordinate -> {
                        String[] po = coordinate.split(":");
                        if (Integer.parseInt(po[0]) == tp.partition() && Long.parseLong(po[1]) < c && !dead.containsKey(coordinate)) {
                            violations.add(tp + " committed " + c + " before poison " + coordinate + " was dead-lettered");
                        }
                    }));
                    samples.incrementAndGet();
                }
            }
        }, "dlt-watcher");
        watcher.start();

        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(broker.bootstrapServers()).build())) {
            QueueWorker<AccessLog> queue = QueueWorker.json(QueueWorkerConfig.builder()
                            .retryPolicy(RetryPolicy.builder().maxAttempts(MAX_ATTEMPTS).initialBackoff(Duration.ofMillis(20))
                                    .maxBackoff(Duration.ofMillis(50)).build())
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build(),
                    AccessLog.class, AsyncConsumeWorker.blocking((id, log) -> {
                        if ("blocked-tenant".equals(log.appid)) {
                            throw new IllegalStateException("tenant blocked-tenant has no destination");
                        }
                        processed.add(log.id);
                    }));
            ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                    .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(100)).build();
            try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
                manager.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() == PARTITIONS * PER_PARTITION - poison.size()
                        && dead.size() == poison.size());
                assertTrue(manager.health().failedPartitions().isEmpty(), "the pipeline keeps running");
            }
        } finally {
            Thread.sleep(300);
            watching.set(false);
            watcher.join(10_000);
        }

        assertEquals(poison.keySet(), dead.keySet(), "exactly the poison records are dead-lettered");
        for (Map.Entry<String, ConsumerRecord<byte[], byte[]>> e : dead.entrySet()) {
            String kind = poison.get(e.getKey());
            ConsumerRecord<byte[], byte[]> r = e.getValue();
            String[] po = e.getKey().split(":");
            assertEquals(topic, header(r, DeadLetterHeaders.ORIGINAL_TOPIC));
            assertEquals(group, header(r, DeadLetterHeaders.GROUP));
            assertTrue(Long.parseLong(header(r, DeadLetterHeaders.ORIGINAL_TIMESTAMP)) > 0);
            assertEquals(r.timestamp(), Long.parseLong(header(r, DeadLetterHeaders.ORIGINAL_TIMESTAMP)));
            if (kind.equals("worker")) {
                assertEquals(String.valueOf(MAX_ATTEMPTS), header(r, DeadLetterHeaders.ATTEMPTS), e.getKey());
                assertEquals("retries-exhausted", header(r, DeadLetterHeaders.REASON));
                assertEquals(IllegalStateException.class.getName(), header(r, DeadLetterHeaders.EXCEPTION_CLASS));
                assertEquals("tenant blocked-tenant has no destination", header(r, DeadLetterHeaders.EXCEPTION_MESSAGE));
                assertEquals("blocked-tenant", new String(r.key(), StandardCharsets.UTF_8), "original key kept");
            } else {
                assertEquals("1", header(r, DeadLetterHeaders.ATTEMPTS), "decode failures are not retried: " + e.getKey());
                assertEquals("fatal", header(r, DeadLetterHeaders.REASON));
                assertEquals("io.syncer.RecordDecodeException", header(r, DeadLetterHeaders.EXCEPTION_CLASS));
                String message = header(r, DeadLetterHeaders.EXCEPTION_MESSAGE);
                if (kind.equals("null")) {
                    assertTrue(r.value() == null, "a tombstone stays a tombstone");
                    assertTrue(message.contains("null value"), message);
                } else {
                    assertTrue(message.startsWith("not a JSON AccessLog"), message);
                    assertTrue(new String(r.value(), StandardCharsets.UTF_8).endsWith("broken"), "original value kept");
                }
            }
            assertTrue(Integer.parseInt(po[0]) < PARTITIONS);
        }
        assertEquals(List.of(), violations, "a commit passed a poison record before its dead-letter write");
        assertTrue(samples.get() > 3, "the watcher sampled " + samples + " times");
        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        Records.endOffsets(broker, topic, PARTITIONS).forEach((tp, end) -> assertEquals(end, committed.get(tp), tp.toString()));
        System.out.printf("dead letters: %d poison records (%d malformed, %d null, %d worker) out of %d; %d commit samples checked%n",
                poison.size(), poison.values().stream().filter("malformed"::equals).count(),
                poison.values().stream().filter("null"::equals).count(),
                poison.values().stream().filter("worker"::equals).count(), PARTITIONS * PER_PARTITION, samples.get());
    }

    /**
     * A bad record whose dead letter (its value, key and headers plus syncer's) is larger than the dead-letter
     * producer may send is still dead-lettered: without the original's key, value and headers, with their sizes, so
     * the partition keeps running and the record can be found at its coordinates.
     */
    @Test
    void aDeadLetterTooLargeForTheDeadLetterProducerIsWrittenWithoutTheOriginalPayload(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("huge-poison");
        String dlt = topic + ".dlt";
        String group = KafkaBroker.uniqueName("g-huge");
        broker.createTopic(topic, 1);
        broker.createTopic(dlt, 2);
        byte[] huge = new byte[300_000];
        java.util.Arrays.fill(huge, (byte) '{');
        try (KafkaProducer<byte[], byte[]> producer = Records.producer(broker)) {
            producer.send(new ProducerRecord<>(topic, 0, Records.bytes("a"), Records.bytes("{\"id\":\"0\",\"appid\":\"a\"}"))).get();
            ProducerRecord<byte[], byte[]> bad = new ProducerRecord<>(topic, 0, Records.bytes("huge-key"), huge);
            bad.headers().add("trace", Records.bytes("t-1"));
            producer.send(bad).get();
            producer.send(new ProducerRecord<>(topic, 0, Records.bytes("b"), Records.bytes("{\"id\":\"2\",\"appid\":\"b\"}"))).get();
        }
        Set<String> processed = ConcurrentHashMap.newKeySet();
        // the dead letter (300 kB value) is larger than this producer's max.request.size
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(broker.bootstrapServers()).kafkaProperty("max.request.size", 100_000).build())) {
            QueueWorker<AccessLog> queue = QueueWorker.json(QueueWorkerConfig.builder()
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build(),
                    AccessLog.class, AsyncConsumeWorker.blocking((id, log) -> processed.add(log.id)));
            ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                    .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(100)).build();
            try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
                manager.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> processed.size() == 2
                        && Records.committed(broker, group).getOrDefault(new TopicPartition(topic, 0), 0L) == 3L
                        || !manager.health().failedPartitions().isEmpty());
                assertEquals(Map.of(), manager.health().failedPartitions(), "the partition keeps running");
            }
        }
        List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> r = reader(broker, dlt)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                r.poll(Duration.ofMillis(100)).forEach(dead::add);
                return !dead.isEmpty();
            });
        }
        assertEquals(1, dead.size());
        ConsumerRecord<byte[], byte[]> d = dead.get(0);
        assertEquals("1", header(d, DeadLetterHeaders.ORIGINAL_OFFSET));
        assertEquals("fatal", header(d, DeadLetterHeaders.REASON));
        assertEquals("io.syncer.RecordDecodeException", header(d, DeadLetterHeaders.EXCEPTION_CLASS));
        assertEquals(null, d.value(), "the value is left out");
        assertEquals(null, d.key(), "the key is left out");
        assertEquals(null, d.headers().lastHeader("trace"), "the original headers are left out");
        String omitted = header(d, DeadLetterHeaders.OMITTED);
        assertTrue(omitted.contains("value 300000 bytes") && omitted.contains("key 8 bytes") && omitted.contains("1 header"),
                omitted);
        assertTrue(omitted.contains("RecordTooLargeException"), omitted);
    }

    private static KafkaConsumer<byte[], byte[]> reader(KafkaBroker broker, String topic) {
        Map<String, Object> p = broker.clientProperties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
