package io.syncer.spring;

import io.syncer.Syncer;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.KafkaProducers;
import io.syncer.spring.internal.PipelineFactory;
import io.syncer.trace.Tracing;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * Auto-configuration of syncer: the {@link SyncerProperties} ({@code syncer.*}), a
 * {@link KafkaProducers} bean from {@code syncer.producer} unless the application defines one (created
 * when first needed: by a dead-letter topic or by the application's own Kafka sinks), the
 * {@link SyncerMetrics} on the application's Micrometer {@code MeterRegistry} when there is one, and
 * the {@link Tracing} on the application's {@code OpenTelemetry} bean when there is one and
 * syncer-opentelemetry is on the class path, and the {@link SyncerPipelines} built from
 * {@code syncer.pipelines}.
 *
 * <p>Turned off by {@code syncer.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "syncer", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SyncerProperties.class)
public class SyncerAutoConfiguration {

    /**
     * The producer of the Kafka sinks and the dead-letter writer; closed with the context.
     *
     * @param properties {@code syncer.*}
     * @return the producer
     */
    @Bean(destroyMethod = "close")
    @Lazy
    @ConditionalOnMissingBean
    public KafkaProducers syncerKafkaProducers(SyncerProperties properties) {
        return KafkaProducers.create(PipelineFactory.producersConfig(properties));
    }

    /**
     * The pipelines; built here so that a bad property fails the context's refresh.
     *
     * @param properties {@code syncer.*}
     * @param beans the context, for sink, router and decoder beans
     * @param producers the producer, asked for only by pipelines with a dead-letter topic
     * @param metrics the metrics binding, if any
     * @param tracing the tracing binding, if any
     * @return the pipelines
     */
    @Bean
    @ConditionalOnMissingBean
    public SyncerPipelines syncerPipelines(SyncerProperties properties, ListableBeanFactory beans,
                                           ObjectProvider<KafkaProducers> producers,
                                           ObjectProvider<SyncerMetrics> metrics,
                                           ObjectProvider<Tracing> tracing) {
        PipelineFactory factory = new PipelineFactory(beans, properties, producers::getObject,
                metrics.getIfAvailable(() -> SyncerMetrics.NOOP), tracing.getIfAvailable(() -> Tracing.NOOP));
        Map<String, Syncer> pipelines = new LinkedHashMap<>();
        Map<String, Duration> closeTimeouts = new LinkedHashMap<>();
        Map<String, Duration> awaitRunning = new LinkedHashMap<>();
        long enabled = properties.getPipelines().values().stream().filter(SyncerProperties.Pipeline::isEnabled).count();
        for (Map.Entry<String, SyncerProperties.Pipeline> e : properties.getPipelines().entrySet()) {
            SyncerProperties.Pipeline p = e.getValue();
            if (!p.isEnabled()) {
                continue;
            }
            pipelines.put(e.getKey(), factory.build(e.getKey(), p, enabled == 1));
            if (p.getCloseTimeout() != null) {
                closeTimeouts.put(e.getKey(), p.getCloseTimeout());
            }
            if (p.getAwaitRunning() != null) {
                awaitRunning.put(e.getKey(), p.getAwaitRunning());
            }
        }
        return new SyncerPipelines(pipelines, closeTimeouts, awaitRunning, properties.isAutoStartup());
    }

    /** The OpenTelemetry binding, when syncer-opentelemetry and an {@code OpenTelemetry} bean are present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.syncer.opentelemetry.OpenTelemetryTracing", "io.opentelemetry.api.OpenTelemetry"})
    static class OpenTelemetryTracingConfiguration {
        @Bean
        @ConditionalOnMissingBean(Tracing.class)
        Tracing syncerTracing(ObjectProvider<io.opentelemetry.api.OpenTelemetry> openTelemetry) {
            io.opentelemetry.api.OpenTelemetry otel = openTelemetry.getIfAvailable();
            return otel == null ? Tracing.NOOP : io.syncer.opentelemetry.OpenTelemetryTracing.create(otel);
        }
    }

    /** The Micrometer binding, when syncer-micrometer and a {@code MeterRegistry} bean are present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.syncer.micrometer.MicrometerMetrics", "io.micrometer.core.instrument.MeterRegistry"})
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean(SyncerMetrics.class)
        SyncerMetrics syncerMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            io.micrometer.core.instrument.MeterRegistry r = registry.getIfAvailable();
            return r == null ? SyncerMetrics.NOOP : new io.syncer.micrometer.MicrometerMetrics(r);
        }
    }
}
