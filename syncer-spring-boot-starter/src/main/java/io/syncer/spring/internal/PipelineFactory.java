package io.syncer.spring.internal;

import io.syncer.ConfigurationException;
import io.syncer.Syncer;
import io.syncer.commit.CommitMode;
import io.syncer.commit.InitialPosition;
import io.syncer.commit.OffsetResetPolicy;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.internal.util.Durations;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.share.ShareGroupConfig;
import io.syncer.sink.Router;
import io.syncer.sink.Sink;
import io.syncer.sink.UnroutedPolicy;
import io.syncer.spring.SyncerProperties;
import io.syncer.trace.Tracing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Turns one {@code syncer.pipelines.<name>} section into a {@link Syncer}: each written value goes
 * to the builder setter of the same name (the builders validate), beans are looked up by name, and
 * every failure names the property it came from.
 */
public final class PipelineFactory {
    private final ListableBeanFactory beans;
    private final SyncerProperties root;
    private final Supplier<KafkaProducers> producers;
    private final SyncerMetrics metrics;
    private final Tracing tracing;
    private final java.util.Set<String> claimedSinks = new TreeSet<>();

    /**
     * @param beans where decoders, routers and sinks are looked up
     * @param root the whole {@code syncer.} section
     * @param producers the producer bean, asked for only when a pipeline has a dead-letter topic
     * @param metrics where every pipeline's meters go
     * @param tracing where every pipeline's spans go
     */
    public PipelineFactory(ListableBeanFactory beans, SyncerProperties root, Supplier<KafkaProducers> producers,
                           SyncerMetrics metrics, Tracing tracing) {
        this.beans = beans;
        this.root = root;
        this.producers = producers;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    /**
     * Builds the {@code KafkaProducers} configuration from {@code syncer.producer}.
     *
     * @param root the whole {@code syncer.} section
     * @return the validated configuration
     * @throws ConfigurationException naming the bad property
     */
    public static KafkaProducersConfig producersConfig(SyncerProperties root) {
        SyncerProperties.Producer p = root.getProducer();
        return at("syncer.producer", () -> {
            KafkaProducersConfig.Builder b = KafkaProducersConfig.builder();
            String servers = p.getBootstrapServers() != null ? p.getBootstrapServers() : root.getBootstrapServers();
            if (servers == null) {
                throw new IllegalArgumentException("no bootstrap servers: set syncer.bootstrap-servers "
                        + "(or syncer.producer.bootstrap-servers)");
            }
            b.bootstrapServers(servers);
            b.kafkaProperties(root.getKafka());
            b.kafkaProperties(p.getKafka());
            set(p.getDeliveryTimeout(), b::deliveryTimeout);
            return b.build();
        });
    }

    /**
     * Builds pipeline {@code name}.
     *
     * @param name the pipeline's name
     * @param p its section
     * @param onlyPipeline whether it is the only pipeline (then its sinks default to every Sink bean)
     * @return the pipeline, not started
     * @throws ConfigurationException naming the bad property
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Syncer build(String name, SyncerProperties.Pipeline p, boolean onlyPipeline) {
        String at = "syncer.pipelines." + name;
        RecordDecoder<Object> decoder = at(at, () -> decoder(at, p));
        QueueWorkerConfig worker = at(at + ".worker", () -> worker(name, p.getWorker()));
        Syncer.Builder<Object> b = Syncer.builder(decoder).worker(worker).metrics(metrics);
        if (p.getShareGroup().getGroupId() != null) {
            if (p.getConsumer().getGroupId() != null) {
                throw new ConfigurationException(at + ": set consumer.group-id or share-group.group-id, not both");
            }
            b.shareGroup(at(at + ".share-group", () -> shareGroup(name, p.getShareGroup())));
        } else {
            b.consumer(at(at + ".consumer", () -> consumer(name, p.getConsumer())));
        }
        for (Sink sink : at(at + ".sinks", () -> sinks(p, onlyPipeline))) {
            b.sink(sink);
        }
        if (p.getRouter() != null) {
            b.router(bean(at + ".router", p.getRouter(), Router.class));
        }
        if (p.getUnrouted() != null) {
            b.unrouted(at(at + ".unrouted", () -> enumValue(UnroutedPolicy.class, p.getUnrouted())));
        }
        return at(at, b::build);
    }

    private RecordDecoder<Object> decoder(String at, SyncerProperties.Pipeline p) {
        if (p.getDecoder() != null && p.getItemType() != null) {
            throw new IllegalArgumentException("set decoder or item-type, not both");
        }
        if (p.getDecoder() != null) {
            return bean(at + ".decoder", p.getDecoder(), RecordDecoder.class);
        }
        if (p.getItemType() != null) {
            @SuppressWarnings("unchecked")
            Class<Object> type = (Class<Object>) p.getItemType();
            return RecordDecoder.json(type);
        }
        throw new IllegalArgumentException("set decoder (the bean name of a RecordDecoder) or item-type "
                + "(a class each record's JSON value is decoded into)");
    }

    private ConsumerGroupConfig consumer(String name, SyncerProperties.Consumer c) {
        ConsumerGroupConfig.Builder b = ConsumerGroupConfig.builder();
        b.kafkaProperties(root.getKafka());
        b.kafkaProperties(c.getKafka());
        String servers = c.getBootstrapServers() != null ? c.getBootstrapServers() : root.getBootstrapServers();
        if (servers == null) {
            throw new IllegalArgumentException("no bootstrap servers: set syncer.bootstrap-servers "
                    + "(or syncer.pipelines." + name + ".consumer.bootstrap-servers)");
        }
        b.bootstrapServers(servers);
        set(c.getGroupId(), b::groupId);
        if (!c.getTopics().isEmpty()) {
            b.topics(c.getTopics());
        }
        if (c.getTopicPattern() != null) {
            try {
                b.topicPattern(Pattern.compile(c.getTopicPattern()));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("topic-pattern: " + e.getDescription() + ": " + c.getTopicPattern(), e);
            }
        }
        set(c.getInitialPosition(), v -> b.initialPosition(enumValue(InitialPosition.class, v)));
        set(c.getOffsetResetPolicy(), v -> b.offsetResetPolicy(
                OffsetResetPolicy.parse(v, d -> Durations.parse("offset-reset-policy", d))));
        set(c.getCommitMode(), v -> b.commitMode(enumValue(CommitMode.class, v)));
        set(c.getCommitInterval(), b::commitInterval);
        set(c.getCommitTimeout(), b::commitTimeout);
        set(c.getPollTimeout(), b::pollTimeout);
        set(c.getMetadataMaxAge(), b::metadataMaxAge);
        set(c.getRevokeTimeout(), b::revokeTimeout);
        set(c.getStallTimeout(), b::stallTimeout);
        set(c.getJoinTimeout(), b::joinTimeout);
        set(c.getLogContext(), b::logContext);
        set(c.getMaxQueuedRecords(), b::maxQueuedRecords);
        set(c.getMaxQueuedBytes(), b::maxQueuedBytes);
        return b.build();
    }

    private ShareGroupConfig shareGroup(String name, SyncerProperties.ShareGroup s) {
        ShareGroupConfig.Builder b = ShareGroupConfig.builder();
        b.kafkaProperties(root.getKafka());
        b.kafkaProperties(s.getKafka());
        String servers = s.getBootstrapServers() != null ? s.getBootstrapServers() : root.getBootstrapServers();
        if (servers == null) {
            throw new IllegalArgumentException("no bootstrap servers: set syncer.bootstrap-servers "
                    + "(or syncer.pipelines." + name + ".share-group.bootstrap-servers)");
        }
        b.bootstrapServers(servers);
        set(s.getGroupId(), b::groupId);
        if (!s.getTopics().isEmpty()) {
            b.topics(s.getTopics());
        }
        set(s.getConsumers(), b::consumers);
        set(s.getMaxQueuedRecords(), b::maxQueuedRecords);
        set(s.getInitialPosition(), v -> b.initialPosition(enumValue(InitialPosition.class, v)));
        set(s.getPollTimeout(), b::pollTimeout);
        set(s.getAcknowledgeInterval(), b::acknowledgeInterval);
        set(s.getLockMargin(), b::lockMargin);
        set(s.getLockDuration(), b::lockDuration);
        set(s.getDeliveryCountLimit(), b::deliveryCountLimit);
        set(s.getRenewLocks(), b::renewLocks);
        return b.build();
    }

    private QueueWorkerConfig worker(String name, SyncerProperties.Worker w) {
        QueueWorkerConfig.Builder b = QueueWorkerConfig.builder().name(name).tracing(tracing);
        set(w.getWorkers(), b::workers);
        set(w.getMaxInFlight(), b::maxInFlight);
        set(w.getOrdering(), v -> b.ordering(enumValue(OrderingMode.class, v)));
        SyncerProperties.Retry r = w.getRetry();
        RetryPolicy.Builder retry = RetryPolicy.builder();
        set(r.getMaxAttempts(), retry::maxAttempts);
        set(r.getMaxElapsed(), retry::maxElapsed);
        set(r.getInitialBackoff(), retry::initialBackoff);
        set(r.getMaxBackoff(), retry::maxBackoff);
        b.retryPolicy(retry.build());
        if (w.getDeadLetterTopic() != null) {
            b.deadLetterPolicy(DeadLetterPolicy.toTopic(producers.get(), w.getDeadLetterTopic()));
        }
        return b.build();
    }

    @SuppressWarnings("rawtypes")
    private List<Sink> sinks(SyncerProperties.Pipeline p, boolean onlyPipeline) {
        Map<String, Sink> all = beans.getBeansOfType(Sink.class);
        List<String> names = p.getSinks();
        if (names.isEmpty()) {
            if (!onlyPipeline) {
                throw new IllegalArgumentException("with several pipelines each names its Sink beans; Sink beans: "
                        + new TreeSet<>(all.keySet()));
            }
            names = new ArrayList<>(all.keySet());
            if (names.isEmpty()) {
                throw new IllegalArgumentException("no Sink bean in the application context");
            }
        }
        List<Sink> sinks = new ArrayList<>();
        for (String n : names) {
            Sink sink = all.get(n);
            if (sink == null) {
                throw new IllegalArgumentException("no Sink bean named '" + n + "'; Sink beans: " + new TreeSet<>(all.keySet()));
            }
            if (!claimedSinks.add(n)) {
                throw new IllegalArgumentException("Sink bean '" + n + "' is already used by another pipeline "
                        + "(a pipeline closes its sinks, so each sink belongs to one)");
            }
            sinks.add(sink);
        }
        return sinks;
    }

    private <B> B bean(String at, String name, Class<B> type) {
        if (!beans.containsBean(name)) {
            throw new ConfigurationException(at + ": no bean named '" + name + "'; " + type.getSimpleName() + " beans: "
                    + new TreeSet<>(Arrays.asList(beans.getBeanNamesForType(type))));
        }
        Object bean = beans.getBean(name);
        if (!type.isInstance(bean)) {
            throw new ConfigurationException(at + ": bean '" + name + "' is a " + bean.getClass().getName()
                    + ", not a " + type.getName());
        }
        return type.cast(bean);
    }

    /** Parses an enum value written as in YAML: any case, '-' for '_'. */
    static <E extends Enum<E>> E enumValue(Class<E> type, String value) {
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(normalized)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException("'" + value + "' is not one of " + allowed);
    }

    private static <V> void set(V value, Consumer<V> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private static <R> R at(String property, Supplier<R> step) {
        try {
            return step.get();
        } catch (ConfigurationException e) {
            throw e;
        } catch (IllegalArgumentException | NullPointerException | IllegalStateException e) {
            throw new ConfigurationException(property + ": " + e.getMessage(), e);
        }
    }
}
