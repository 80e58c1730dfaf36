package io.syncer.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.Syncer;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Start-up of a real Spring Boot application context with the auto-configuration, no broker: what is
 * built from which properties, and that every bad property fails start-up with a message naming it.
 * Nothing here connects (auto-startup is off), so the address is a closed port.
 */
class SyncerAutoConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        Sink<TestEvent> aiSink() {
            return new NullSink("ai");
        }

        @Bean
        Sink<TestEvent> botSink() {
            return new NullSink("bot");
        }
    }

    @Test
    void buildsEachEnabledPipelineFromItsProperties() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.second.item-type", TestEvent.class.getName());
        p.put("syncer.pipelines.second.sinks", "botSink");
        p.put("syncer.pipelines.second.consumer.group-id", "g2");
        p.put("syncer.pipelines.second.consumer.topic-pattern", "logs-.*");
        p.put("syncer.pipelines.p.sinks", "aiSink");
        p.put("syncer.pipelines.off.enabled", "false");
        try (ConfigurableApplicationContext ctx = start(p)) {
            SyncerPipelines pipelines = ctx.getBean(SyncerPipelines.class);
            assertEquals(List.of("p", "second"), new ArrayList<>(pipelines.all().keySet()));
            Syncer s = pipelines.get("p");
            assertEquals("NEW", s.health().state().name());
            assertEquals(List.of("ai"), new ArrayList<>(s.sinkStats().keySet()));
            assertEquals(List.of("bot"), new ArrayList<>(pipelines.get("second").sinkStats().keySet()));
            assertTrue(ctx.containsBean("syncerHealthContributor"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipelines.get("off"));
            assertTrue(e.getMessage().contains("no pipeline 'off'"), e.getMessage());
        }
    }

    @Test
    void theOnlyPipelineTakesEverySinkBeanWhenItNamesNone() {
        try (ConfigurableApplicationContext ctx = start(base())) {
            assertEquals(List.of("ai", "bot"),
                    new ArrayList<>(ctx.getBean(SyncerPipelines.class).get("p").sinkStats().keySet()));
        }
    }

    @Test
    void aValueTheBuilderRejectsFailsStartUpNamingTheProperty() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.consumer.max-queued-records", "0");
        assertStartFails(p, "syncer.pipelines.p.consumer", "maxQueuedRecords");
    }

    @Test
    void anUnknownKeyFailsStartUp() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.consumer.group-idd", "x");
        assertStartFails(p, "syncer.pipelines.p.consumer.group-idd");
    }

    @Test
    void aValueOfTheWrongTypeFailsStartUp() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.worker.workers", "many");
        assertStartFails(p, "syncer.pipelines.p.worker.workers");
    }

    @Test
    void aBadEnumValueFailsStartUpListingTheAllowedOnes() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.worker.ordering", "random");
        assertStartFails(p, "syncer.pipelines.p.worker", "'random' is not one of [key, partition, unordered]");
    }

    @Test
    void aMissingGroupIdFailsStartUp() {
        Map<String, Object> p = base();
        p.remove("syncer.pipelines.p.consumer.group-id");
        assertStartFails(p, "syncer.pipelines.p.consumer", "groupId");
    }

    @Test
    void anUnknownSinkBeanFailsStartUpListingTheSinkBeans() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.sinks", "aiSink,clsSink");
        assertStartFails(p, "syncer.pipelines.p.sinks", "no Sink bean named 'clsSink'", "[aiSink, botSink]");
    }

    @Test
    void aSinkInTwoPipelinesFailsStartUp() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.sinks", "aiSink");
        p.put("syncer.pipelines.q.item-type", TestEvent.class.getName());
        p.put("syncer.pipelines.q.sinks", "aiSink");
        p.put("syncer.pipelines.q.consumer.group-id", "q");
        p.put("syncer.pipelines.q.consumer.topics", "t");
        assertStartFails(p, "syncer.pipelines.q.sinks", "already used by another pipeline");
    }

    @Test
    void aPipelineWithoutDecoderOrItemTypeFailsStartUp() {
        Map<String, Object> p = base();
        p.remove("syncer.pipelines.p.item-type");
        assertStartFails(p, "syncer.pipelines.p", "set decoder");
    }

    @Test
    void aRouterBeanThatDoesNotExistFailsStartUp() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.router", "nope");
        assertStartFails(p, "syncer.pipelines.p.router", "no bean named 'nope'");
    }

    @Test
    void noBootstrapServersFailsStartUp() {
        Map<String, Object> p = base();
        p.remove("syncer.bootstrap-servers");
        assertStartFails(p, "syncer.pipelines.p.consumer", "set syncer.bootstrap-servers");
    }

    @Configuration(proxyBeanMethods = false)
    static class WithOpenTelemetry {
        @Bean
        io.opentelemetry.api.OpenTelemetry openTelemetry() {
            return io.opentelemetry.api.OpenTelemetry.noop();
        }
    }

    @Test
    void anOpenTelemetryBeanTurnsTracingOnAndNoneLeavesItOff() {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class, WithOpenTelemetry.class)
                .web(WebApplicationType.NONE).properties(base()).logStartupInfo(false)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF).run()) {
            assertTrue(ctx.getBean(io.syncer.trace.Tracing.class) instanceof io.syncer.opentelemetry.OpenTelemetryTracing);
        }
        try (ConfigurableApplicationContext ctx = start(base())) {
            assertEquals(io.syncer.trace.Tracing.NOOP, ctx.getBean(io.syncer.trace.Tracing.class));
        }
    }

    @Test
    void aShareGroupSectionRunsThePipelineOnAShareGroup() {
        Map<String, Object> p = base();
        p.remove("syncer.pipelines.p.consumer.group-id");
        p.remove("syncer.pipelines.p.consumer.topics");
        p.put("syncer.pipelines.p.share-group.group-id", "workers");
        p.put("syncer.pipelines.p.share-group.topics", "logs");
        p.put("syncer.pipelines.p.share-group.consumers", "3");
        p.put("syncer.pipelines.p.worker.ordering", "unordered");
        p.put("syncer.pipelines.p.worker.dead-letter-topic", "logs.dlt");
        try (ConfigurableApplicationContext ctx = start(p)) {
            assertEquals("NEW", ctx.getBean(SyncerPipelines.class).get("p").health().state().name());
        }
    }

    @Test
    void aShareGroupWithKeyOrderFailsStartUpSayingWhy() {
        Map<String, Object> p = base();
        p.remove("syncer.pipelines.p.consumer.group-id");
        p.put("syncer.pipelines.p.share-group.group-id", "workers");
        p.put("syncer.pipelines.p.share-group.topics", "logs");
        p.put("syncer.pipelines.p.worker.dead-letter-topic", "logs.dlt");
        assertStartFails(p, "syncer.pipelines.p", "UNORDERED");
    }

    @Test
    void aConsumerAndAShareGroupTogetherFailStartUp() {
        Map<String, Object> p = base();
        p.put("syncer.pipelines.p.share-group.group-id", "workers");
        assertStartFails(p, "syncer.pipelines.p", "not both");
    }

    @Test
    void syncerEnabledFalseBuildsNothing() {
        Map<String, Object> p = base();
        p.put("syncer.enabled", "false");
        try (ConfigurableApplicationContext ctx = start(p)) {
            assertTrue(ctx.getBeansOfType(SyncerPipelines.class).isEmpty());
        }
    }

    private static Map<String, Object> base() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("syncer.bootstrap-servers", "127.0.0.1:1");
        p.put("syncer.auto-startup", "false");
        p.put("syncer.pipelines.p.item-type", TestEvent.class.getName());
        p.put("syncer.pipelines.p.consumer.group-id", "g");
        p.put("syncer.pipelines.p.consumer.topics", "logs");
        return p;
    }

    private static ConfigurableApplicationContext start(Map<String, Object> properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .logStartupInfo(false)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF).run();
    }

    private static void assertStartFails(Map<String, Object> properties, String... expected) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(properties).close());
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        for (String part : expected) {
            assertTrue(chain.toString().contains(part), "expected '" + part + "' in:\n" + chain);
        }
    }

    /** A sink that accepts everything (nothing is written here). */
    static final class NullSink implements Sink<TestEvent> {
        private final String name;

        NullSink(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletionStage<List<SinkResult>> write(List<SinkRecord<TestEvent>> batch) {
            List<SinkResult> ok = new ArrayList<>();
            batch.forEach(r -> ok.add(SinkResult.ok()));
            return CompletableFuture.completedFuture(ok);
        }
    }
}
