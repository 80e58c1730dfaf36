package io.syncer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.SyncerException;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KafkaProducers on a real broker: single, batch with one record over {@code max.request.size}
 * reported alone while the others land, and async. Every landing is checked with a separate
 * consumer.
 */
@WithKafka
@Timeout(60)
class KafkaProducersIT {
    private final KafkaBroker broker;

    KafkaProducersIT(KafkaBroker broker) {
        this.broker = broker;
    }

    private KafkaProducers producers() {
        return KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(broker.bootstrapServers())
                .kafkaProperty("max.request.size", 100_000).build());
    }

    @Test
    void singleSendIsAcknowledgedAndReadable() {
        String topic = KafkaBroker.uniqueName("kp-single");
        broker.createTopic(topic, 1);
        RecordMetadata m;
        try (KafkaProducers producers = producers()) {
            m = producers.send(topic, Records.bytes("k"), Records.bytes("hello"));
        }
        assertEquals(0, m.offset());
        List<ConsumerRecord<byte[], byte[]>> read = readAll(topic, 1, 1);
        assertArrayEquals(Records.bytes("hello"), read.get(0).value());
        assertArrayEquals(Records.bytes("k"), read.get(0).key());
    }

    @Test
    void batchReportsTheOversizedRecordAloneWhileTheOthersLand() {
        String topic = KafkaBroker.uniqueName("kp-batch");
        broker.createTopic(topic, 3);
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] value = i == 7 ? new byte[200_000] : Records.bytes("doc-" + i);
            batch.add(new ProducerRecord<>(topic, Records.bytes("id-" + i), value));
        }
        List<SendResult> results;
        try (KafkaProducers producers = producers()) {
            results = producers.sendAll(batch);
        }
        assertEquals(20, results.size());
        for (int i = 0; i < 20; i++) {
            SendResult r = results.get(i);
            assertEquals(batch.get(i), r.record(), "results are in input order");
            if (i == 7) {
                assertFalse(r.succeeded());
                assertNull(r.metadata());
                assertTrue(r.error().getCause() instanceof RecordTooLargeException, String.valueOf(r.error()));
                assertFalse(r.error().isRetriable());
                assertTrue(r.error().getMessage().contains(topic), r.error().getMessage());
            } else {
                assertTrue(r.succeeded(), "record " + i + ": " + r.error());
            }
        }
        Set<String> landed = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic, 3, 19)) {
            landed.add(new String(r.value()));
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            if (i != 7) {
                expected.add("doc-" + i);
            }
        }
        assertEquals(expected, landed);
    }

    @Test
    void asyncSendCompletesWithMetadataOrATranslatedError() throws Exception {
        String topic = KafkaBroker.uniqueName("kp-async");
        broker.createTopic(topic, 2);
        try (KafkaProducers producers = producers()) {
            List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(producers.sendAsync(new ProducerRecord<>(topic, i % 2, null, Records.bytes("a" + i))));
            }
            for (CompletableFuture<RecordMetadata> f : futures) {
                assertTrue(f.get(30, TimeUnit.SECONDS).offset() >= 0);
            }
            CompletableFuture<RecordMetadata> tooLarge = producers.sendAsync(new ProducerRecord<>(topic, new byte[200_000]));
            ExecutionException e = assertThrows(ExecutionException.class, () -> tooLarge.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SyncerException, String.valueOf(e.getCause()));
            SyncerException sync = assertThrows(SyncerException.class, () -> producers.send(topic, null, new byte[200_000]));
            assertTrue(sync.getCause() instanceof RecordTooLargeException);
        }
        assertEquals(50, readAll(topic, 2, 50).size());
    }

    @Test
    void sendAfterCloseFailsClearly() {
        KafkaProducers producers = producers();
        producers.close(Duration.ofSeconds(5));
        producers.close(Duration.ofSeconds(5));
        SyncerException e = assertThrows(SyncerException.class, () -> producers.send("any", null, Records.bytes("x")));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int partitions, int expected) {
        Map<String, Object> p = broker.clientProperties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 20_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // one more poll proves nothing beyond the expected records landed
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        assertEquals(expected, out.size(), "records in " + topic);
        return out;
    }
}
