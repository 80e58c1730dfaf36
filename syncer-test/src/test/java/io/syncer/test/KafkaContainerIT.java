package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka container through {@link WithKafka}: create a topic, produce, consume. Runs only in the
 * {@code testcontainers} profile, which asks for every container; without a Docker engine it fails with the
 * selection's message, it is never skipped.
 */
@WithKafka
@Timeout(300)
class KafkaContainerIT {

    @Test
    void roundTrip(KafkaBroker broker) throws Exception {
        assertInstanceOf(ContainerKafkaBroker.class, broker,
                "not a container: run with -Ptestcontainers or SYNCER_TESTCONTAINERS=kafka");
        String topic = KafkaBroker.uniqueName("container");
        broker.createTopic(topic, 3);

        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, null,
                        ("value-" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(topic, 30, Duration.ofSeconds(60));

        assertEquals(30, records.size());
        assertEquals(30L, broker.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum());
    }
}
