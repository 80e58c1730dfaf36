package io.syncer.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.consume.ManagerState;
import io.syncer.examples.AccessLog;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.spring.SyncerPipelines;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts {@link AccessLogApplication} with its own {@code access-log.yml} against a real broker, feeds
 * it access logs (bots, an unknown tenant, malformed records), and stops it; each output topic is
 * read back with a separate consumer and the committed offsets with Admin.
 */
@WithKafka
@Timeout(180)
class AccessLogApplicationIT {
    private final KafkaBroker broker;

    AccessLogApplicationIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @Test
    void theYamlConfiguredApplicationForwardsEveryLogAndDrainsOnStop() throws Exception {
        String source = KafkaBroker.uniqueName("access-log");
        broker.createTopic(source, 4);
        String[] tenants = {"1-5d9244", "2-5d9244", "3-5d9244", "unknown-tenant"};
        ObjectMapper json = new ObjectMapper();
        Set<String> known = new HashSet<>();
        Set<String> bots = new HashSet<>();
        int records = 3_000;
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (int i = 0; i < records; i++) {
                AccessLog log = new AccessLog();
                log.id = "r" + i;
                log.ts = 1_700_000_000_000L + i;
                log.appid = tenants[i % tenants.length];
                log.method = "GET";
                log.path = "/p/" + (i % 17);
                log.status = 200;
                log.bot = i % 7 == 0;
                if (!log.appid.equals("unknown-tenant")) {
                    known.add(log.id);
                    if (log.bot) {
                        bots.add(log.id);
                    }
                }
                producer.send(new ProducerRecord<>(source, log.appid.getBytes(StandardCharsets.UTF_8),
                        json.writeValueAsBytes(log)));
            }
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(source, null, "{\"id\": broken".getBytes(StandardCharsets.UTF_8)));
            }
        }
        int unknown = records - known.size();

        Syncer pipeline;
        try (ConfigurableApplicationContext app = AccessLogApplication.run(
                "--syncer.bootstrap-servers=" + broker.bootstrapServers(), "--access-log.source-topic=" + source)) {
            pipeline = app.getBean(SyncerPipelines.class).get("access-log");
            assertTrue(pipeline.awaitCaughtUp(Duration.ofSeconds(90)), () -> "not caught up: " + pipeline.health());
            IndicatedHealthDescriptor health = (IndicatedHealthDescriptor) app.getBean(HealthEndpoint.class)
                    .healthForPath("syncer", "access-log");
            assertEquals(Status.UP, health.getStatus(), () -> String.valueOf(health.getDetails()));
        }
        assertEquals(ManagerState.CLOSED, pipeline.health().state(), "the context's close drained the pipeline");

        assertEquals(known, ids(broker.readAll(source + ".ai", known.size(), Duration.ofSeconds(60))));
        assertEquals(bots, ids(broker.readAll(source + ".bot", bots.size(), Duration.ofSeconds(60))));
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(source + ".dlt", unknown + 20, Duration.ofSeconds(60));
        Map<String, Integer> byReason = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            String reason = KafkaBroker.header(d, DeadLetterHeaders.EXCEPTION_CLASS);
            byReason.merge(reason == null ? "none" : reason.substring(reason.lastIndexOf('.') + 1), 1, Integer::sum);
        }
        assertEquals(unknown + 20, dead.size(), () -> "dead letters by exception: " + byReason);
        assertEquals(20, byReason.getOrDefault("RecordDecodeException", 0), () -> "dead letters by exception: " + byReason);
        assertEquals(broker.endOffsets(source), broker.committedOffsets(source + "-syncer"),
                "every record's offset committed by the drain on stop");
    }

    private static Set<String> ids(List<ConsumerRecord<byte[], byte[]>> read) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            ids.add(json.readTree(r.value()).get("id").asText());
        }
        return ids;
    }
}
