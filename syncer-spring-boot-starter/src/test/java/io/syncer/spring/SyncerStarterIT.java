package io.syncer.spring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.syncer.Syncer;
import io.syncer.consume.ManagerState;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.produce.KafkaProducers;
import io.syncer.sink.Route;
import io.syncer.sink.Router;
import io.syncer.sink.Sink;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter in a real Spring Boot application (health endpoint and Micrometer included) against the
 * real broker: a pipeline configured from properties only, with Sink and Router beans by name,
 * started with the context and drain-closed with it. Every output is read back with a separate
 * consumer, the committed offsets with Admin.
 */
@WithKafka
@Timeout(180)
class SyncerStarterIT {
    private final KafkaBroker broker;

    SyncerStarterIT(KafkaBroker broker) {
        this.broker = broker;
    }

    /** The application: two Kafka sinks on the auto-configured producer, a router, a registry. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        Sink<TestEvent> aiSink(KafkaProducers producers, @Value("${test.ai-topic}") String topic) {
            return KafkaSink.<TestEvent>builder("ai", producers).topic(topic).build();
        }

        @Bean
        Sink<TestEvent> botSink(KafkaProducers producers, @Value("${test.bot-topic}") String topic) {
            return KafkaSink.<TestEvent>builder("bot", producers).topic(topic).build();
        }

        @Bean
        Router<TestEvent> eventRouter() {
            List<Route> both = List.of(Route.to("ai"), Route.to("bot"));
            List<Route> ai = List.of(Route.to("ai"));
            return (event, record) -> event.bot() ? both : ai;
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void aPipelineFromPropertiesRunsWithTheContextAndDrainsOnClose() throws Exception {
        String source = KafkaBroker.uniqueName("events");
        String ai = source + "-ai";
        String bot = source + "-bot";
        String dlt = source + "-dlt";
        String group = source + "-group";
        broker.createTopic(source, 3);
        int records = 1_000;
        int bots = 0;
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (int i = 0; i < records; i++) {
                boolean isBot = i % 10 == 0;
                bots += isBot ? 1 : 0;
                producer.send(record(source, i, "{\"id\":\"e" + i + "\",\"bot\":" + isBot + "}"));
            }
            for (int i = 0; i < 5; i++) {
                producer.send(record(source, records + i, "{not json"));
            }
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("syncer.bootstrap-servers", broker.bootstrapServers());
        p.put("syncer.pipelines.events.item-type", TestEvent.class.getName());
        p.put("syncer.pipelines.events.sinks", "aiSink,botSink");
        p.put("syncer.pipelines.events.router", "eventRouter");
        p.put("syncer.pipelines.events.close-timeout", "20s");
        p.put("syncer.pipelines.events.await-running", "60s");
        p.put("syncer.pipelines.events.consumer.group-id", group);
        p.put("syncer.pipelines.events.consumer.topics", source);
        p.put("syncer.pipelines.events.consumer.commit-interval", "200ms");
        p.put("syncer.pipelines.events.consumer.kafka.max.poll.records", "100");
        p.put("syncer.pipelines.events.worker.workers", "4");
        p.put("syncer.pipelines.events.worker.ordering", "unordered");
        p.put("syncer.pipelines.events.worker.dead-letter-topic", dlt);
        p.put("test.ai-topic", ai);
        p.put("test.bot-topic", bot);
        p.put("management.endpoint.health.show-details", "always");

        Syncer pipeline;
        try (ConfigurableApplicationContext ctx = start(p)) {
            pipeline = ctx.getBean(SyncerPipelines.class).get("events");
            assertTrue(pipeline.awaitCaughtUp(Duration.ofSeconds(90)), () -> "not caught up: " + pipeline.health());

            HealthEndpoint health = ctx.getBean(HealthEndpoint.class);
            IndicatedHealthDescriptor h = (IndicatedHealthDescriptor) health.healthForPath("syncer", "events");
            assertEquals(Status.UP, h.getStatus(), () -> String.valueOf(h.getDetails()));
            assertEquals("RUNNING", h.getDetails().get("state"));
            assertEquals(3, h.getDetails().get("assigned"));

            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            double processed = registry.find("syncer.records.processed").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertEquals(records, processed, "processed records counted on the application's registry");
        }
        // the context's close drained and closed the pipeline
        assertEquals(ManagerState.CLOSED, pipeline.health().state());

        assertEquals(ids(0, records), ids(broker.readAll(ai, records, Duration.ofSeconds(60))));
        Set<String> botIds = ids(broker.readAll(bot, bots, Duration.ofSeconds(60)));
        assertEquals(bots, botIds.size());
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(dlt, 5, Duration.ofSeconds(60));
        assertEquals(5, dead.size());
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            assertEquals("{not json", new String(d.value(), StandardCharsets.UTF_8));
            assertNotNull(KafkaBroker.header(d, DeadLetterHeaders.EXCEPTION_CLASS), "dead letter has its reason");
        }
        Map<TopicPartition, Long> committed = broker.committedOffsets(group);
        assertEquals(broker.endOffsets(source), committed, "every record's offset committed by the drain");
    }

    @Test
    void awaitRunningFailsStartUpWhenTheClusterCannotBeReached() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("syncer.bootstrap-servers", "127.0.0.1:1");
        p.put("syncer.pipelines.events.item-type", TestEvent.class.getName());
        p.put("syncer.pipelines.events.sinks", "aiSink");
        p.put("syncer.pipelines.events.await-running", "8s");
        p.put("syncer.pipelines.events.consumer.group-id", "unreachable");
        p.put("syncer.pipelines.events.consumer.topics", "t");
        p.put("syncer.pipelines.events.consumer.join-timeout", "2s");
        p.put("test.ai-topic", "ai");
        p.put("test.bot-topic", "bot");
        p.put("syncer.producer.bootstrap-servers", broker.bootstrapServers());
        long started = System.nanoTime();
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(p).close());
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        assertTrue(chain.toString().contains("syncer.pipelines.events.await-running"), chain::toString);
        assertTrue(chain.toString().contains("127.0.0.1:1"), chain::toString);
        assertTrue(seconds < 60, "start-up failed in " + seconds + " s");
    }

    private static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .bannerMode(Banner.Mode.OFF).logStartupInfo(false).run();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int i, String json) {
        return new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> ids(int from, int to) {
        Set<String> ids = new HashSet<>();
        for (int i = from; i < to; i++) {
            ids.add("e" + i);
        }
        return ids;
    }

    private static Set<String> ids(List<ConsumerRecord<byte[], byte[]>> read) {
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            int at = v.indexOf("\"id\":\"") + 6;
            ids.add(v.substring(at, v.indexOf('"', at)));
        }
        return ids;
    }
}
