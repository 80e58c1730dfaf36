package io.syncer.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 9 of issue 11: a route to a topic that does not exist (and cannot be created) made {@code write} block for
 * the producer's {@code max.block.ms} on the thread that writes every destination, then failed the record as if it
 * were bad data. On a broker of its own with {@code auto.create.topics.enable=false}.
 */
@Timeout(120)
class KafkaSinkMissingTopicIT {
    @Test
    void aMissingTopicNeitherBlocksTheWriteNorFailsItsRecords() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of("auto.create.topics.enable", "false"));
             KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                     .bootstrapServers(broker.bootstrapServers()).kafkaProperty("max.block.ms", 3_000).build())) {
            String present = KafkaBroker.uniqueName("present");
            String missing = KafkaBroker.uniqueName("missing");
            broker.createTopic(present, 1);
            KafkaSink<String> sink = KafkaSink.<String>builder("kafka", producers).build();
            try {
                List<SinkRecord<String>> batch = List.of(record(missing, 0), record(present, 1), record(missing, 2));
                long start = System.nanoTime();
                java.util.concurrent.CompletableFuture<List<SinkResult>> written = sink.write(batch).toCompletableFuture();
                long callMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(callMs < 1_000, "write returned in " + callMs + " ms, not after max.block.ms");
                List<SinkResult> results = written.get(30, TimeUnit.SECONDS);
                assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, results.get(0).status(), String.valueOf(results.get(0)));
                assertEquals(SinkResult.Status.OK, results.get(1).status(), "the present topic was written meanwhile");
                assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, results.get(2).status());
                assertTrue(results.get(0).error().getMessage().contains(missing), results.get(0).error().getMessage());
                List<ConsumerRecord<byte[], byte[]>> read = broker.readAll(present, 1, Duration.ofSeconds(20));
                assertEquals("v1", new String(read.get(0).value(), StandardCharsets.UTF_8));

                broker.createTopic(missing, 1); // core's probe of the held destination then succeeds
                List<SinkResult> again = sink.write(List.of(record(missing, 0), record(missing, 2))).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                again.forEach(r -> assertEquals(SinkResult.Status.OK, r.status(), String.valueOf(r)));
                assertEquals(2, broker.readAll(missing, 2, Duration.ofSeconds(20)).size());
            } finally {
                sink.close();
            }
        }
    }

    private static SinkRecord<String> record(String topic, long offset) {
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("source", 0, offset, null,
                ("v" + offset).getBytes(StandardCharsets.UTF_8));
        return new SinkRecord<>("v" + offset, topic, source);
    }
}
