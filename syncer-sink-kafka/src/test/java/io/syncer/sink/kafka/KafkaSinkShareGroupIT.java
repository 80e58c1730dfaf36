package io.syncer.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.DrainMode;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.share.ShareGroupConfig;
import io.syncer.sink.Route;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Syncer} pipeline on a share group: the same decoder, router, Kafka sink and dead-letter topic as in
 * consumer-group mode, two members sharing one topic; the output read back with a separate consumer.
 */
@WithKafka
@Timeout(180)
class KafkaSinkShareGroupIT {
    private final KafkaBroker broker;

    KafkaSinkShareGroupIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @Test
    void aPipelineOnAShareGroupForwardsEveryRecordOnceAndDeadLettersTheUndecodable() throws Exception {
        String source = KafkaBroker.uniqueName("share-src");
        String out = source + ".out";
        String dlt = source + ".dlt";
        String group = KafkaBroker.uniqueName("share-pipeline");
        broker.createTopic(source, 3);
        try (KafkaProducer<byte[], byte[]> p = broker.newProducer()) {
            for (int i = 0; i < 3_000; i++) {
                String value = i % 1_000 == 999 ? "{broken" : "{\"id\":" + i + "}";
                p.send(new ProducerRecord<>(source, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)));
            }
        }
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .kafkaProperties(broker.clientProperties()).build())) {
            Syncer a = pipeline(group, source, out, dlt, producers);
            Syncer b = pipeline(group, source, out, dlt, producers);
            a.start();
            b.start();
            List<ConsumerRecord<byte[], byte[]>> forwarded = broker.readAll(out, 2_997, Duration.ofSeconds(120));
            Set<String> ids = new HashSet<>();
            forwarded.forEach(r -> ids.add(new String(r.value(), StandardCharsets.UTF_8)));
            assertEquals(2_997, ids.size(), "every decodable record forwarded");
            assertEquals(2_997, forwarded.size(), "once each");
            List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(dlt, 3, Duration.ofSeconds(60));
            assertEquals(3, dead.size());
            for (ConsumerRecord<byte[], byte[]> d : dead) {
                assertEquals("io.syncer.RecordDecodeException", KafkaBroker.header(d, DeadLetterHeaders.EXCEPTION_CLASS));
                assertEquals("1", KafkaBroker.header(d, DeadLetterHeaders.DELIVERY_COUNT));
            }
            assertTrue(a.health().isHealthy() && b.health().isHealthy(), a.health() + " / " + b.health());
            assertTrue(a.sinkStats().get("out").written() > 0 && b.sinkStats().get("out").written() > 0,
                    "both members did work");
            a.close(Duration.ofSeconds(20), DrainMode.DRAIN);
            b.close(Duration.ofSeconds(20), DrainMode.DRAIN);
        }
    }

    @Test
    void aShareGroupPipelineRejectsKeyOrderAndExactlyOnce() {
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .kafkaProperties(broker.clientProperties()).build())) {
            ShareGroupConfig share = ShareGroupConfig.builder().groupId("g").topics("t")
                    .bootstrapServers(broker.bootstrapServers()).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Syncer.builder(RecordDecoder.utf8Value())
                    .shareGroup(share)
                    .worker(QueueWorkerConfig.builder().deadLetterPolicy(DeadLetterPolicy.toTopic(producers, "dlt")).build())
                    .sink(KafkaSink.<String>builder("out", producers).topic("out").build())
                    .build());
            assertTrue(e.getMessage().contains("UNORDERED"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Syncer.builder(RecordDecoder.utf8Value())
                    .shareGroup(share)
                    .consumer(ConsumerGroupConfig.builder().groupId("g").topics("t").bootstrapServers("x:1").build())
                    .sink(KafkaSink.<String>builder("out", producers).topic("out").build())
                    .build());
            assertTrue(e.getMessage().contains("exclusive"), e.getMessage());
        }
    }

    @SuppressWarnings("rawtypes")
    private Syncer pipeline(String group, String source, String out, String dlt, KafkaProducers producers) {
        return Syncer.builder(RecordDecoder.json(java.util.Map.class))
                .shareGroup(ShareGroupConfig.builder().groupId(group).topics(source)
                        .kafkaProperties(broker.clientProperties()).consumers(2).maxQueuedRecords(400).build())
                .worker(QueueWorkerConfig.builder().workers(4).ordering(OrderingMode.UNORDERED)
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build())
                .sink(KafkaSink.<java.util.Map>builder("out", producers).topic(out).build())
                .router((value, record) -> List.of(Route.to("out")))
                .build();
    }
}
