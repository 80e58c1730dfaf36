package io.syncer.consume;

import io.syncer.commit.CommitMode;
import io.syncer.commit.InitialPosition;
import io.syncer.commit.OffsetResetPolicy;
import io.syncer.internal.util.ConfigProperties;
import io.syncer.internal.util.Durations;
import io.syncer.internal.util.Require;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Immutable configuration of a {@link ConsumerGroupManager}: which group, which topics, where
 * partitions start, how offsets are committed, and the queue bounds that drive backpressure.
 *
 * <p>Build one with {@link #builder()}, or from a properties file with {@link #fromProperties}
 * (keys under {@value #PREFIX}, Kafka consumer keys under {@value #KAFKA_PREFIX}); both go through
 * the same validating setters. Kafka consumer properties pass through untouched, except the few the
 * manager owns: {@code enable.auto.commit} (always false), {@code auto.offset.reset} (always
 * {@code none}: the manager applies {@link InitialPosition} and {@link OffsetResetPolicy} itself),
 * and the byte-array deserializers. When not set by the user, {@code metadata.max.age.ms} becomes
 * {@link #metadataMaxAge()}, {@code fetch.max.bytes} becomes {@link #maxQueuedBytes()} (between
 * 1 MiB and Kafka's 50 MiB), {@code fetch.max.wait.ms} becomes {@value #DEFAULT_FETCH_MAX_WAIT_MS}
 * and, for the classic group protocol, the assignor becomes cooperative-sticky.
 *
 * <p>Why {@code fetch.max.wait.ms} is shorter than Kafka's 500 ms: a consumer keeps one fetch in
 * flight per broker, and a partition whose fetched data is still being read is left out of it.
 * When every partition in that fetch is caught up, the broker holds it for the full wait, and a
 * partition that fell behind (paused by backpressure, say) gets one {@code max.partition.fetch.bytes}
 * per wait: 2 MB/s at 500 ms. At 100 ms the catch-up is five times faster, for five times as many
 * empty fetches of an idle consumer.
 */
public final class ConsumerGroupConfig {
    /** Prefix of this configuration's keys in a properties file. */
    public static final String PREFIX = "syncer.consumer.";
    /** Prefix of pass-through Kafka consumer keys in a properties file. */
    public static final String KAFKA_PREFIX = "kafka.consumer.";

    /** Kafka's {@code fetch.max.wait.ms} unless the Kafka properties set it: 100 ms. */
    public static final int DEFAULT_FETCH_MAX_WAIT_MS = 100;

    /** Default {@link Builder#initialPosition}: {@link InitialPosition#EARLIEST}. */
    public static final InitialPosition DEFAULT_INITIAL_POSITION = InitialPosition.EARLIEST;
    /** Default {@link Builder#offsetResetPolicy}: {@link OffsetResetPolicy#failPartition()}. */
    public static final OffsetResetPolicy DEFAULT_OFFSET_RESET_POLICY = OffsetResetPolicy.failPartition();
    /** Default {@link Builder#commitMode}: {@link CommitMode#AT_LEAST_ONCE}. */
    public static final CommitMode DEFAULT_COMMIT_MODE = CommitMode.AT_LEAST_ONCE;
    /** Default {@link Builder#commitInterval}: 1 s. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    /** Default {@link Builder#commitTimeout}: 10 s. */
    public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link Builder#pollTimeout}: 100 ms. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default {@link Builder#metadataMaxAge}: 5 s, so new partitions and topics are seen within about 10 s. */
    public static final Duration DEFAULT_METADATA_MAX_AGE = Duration.ofSeconds(5);
    /** Default {@link Builder#revokeTimeout}: 10 s. */
    public static final Duration DEFAULT_REVOKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default {@link Builder#logContext}: off. With log4j2 each MDC change copies the thread's map; at a million
     * records a second that cost consume-only throughput about a fifth in the benchmark suite.
     */
    public static final boolean DEFAULT_LOG_CONTEXT = false;
    /** Default {@link Builder#joinTimeout}: 30 s. */
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link Builder#stallTimeout}: 60 s. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@link Builder#maxQueuedRecords}: 10,000 records. */
    public static final int DEFAULT_MAX_QUEUED_RECORDS = 10_000;
    /** Default {@link Builder#maxQueuedBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    /**
     * Heap a queued record takes beyond its serialized bytes, counted against
     * {@link Builder#maxQueuedBytes}: the {@code ConsumerRecord}, its arrays and headers, the queue's
     * and the sinks' bookkeeping. Benchmark P4 measured about 450 bytes in a sink pipeline; 512 keeps
     * the bound on the safe side.
     */
    public static final int QUEUED_RECORD_OVERHEAD_BYTES = 512;
    /** Default {@link Builder#pauseAbove}: 0.8 of the queue bounds. */
    public static final double DEFAULT_PAUSE_ABOVE = 0.8;
    /** Default {@link Builder#resumeBelow}: 0.5 of the queue bounds. */
    public static final double DEFAULT_RESUME_BELOW = 0.5;

    private final String groupId;
    private final List<String> topics;
    private final Pattern topicPattern;
    private final Map<String, Object> kafkaProperties;
    private final InitialPosition initialPosition;
    private final OffsetResetPolicy offsetResetPolicy;
    private final CommitMode commitMode;
    private final Duration commitInterval;
    private final Duration commitTimeout;
    private final Duration pollTimeout;
    private final Duration metadataMaxAge;
    private final Duration revokeTimeout;
    private final Duration stallTimeout;
    private final Duration joinTimeout;
    private final boolean logContext;
    private final int maxQueuedRecords;
    private final long maxQueuedBytes;
    private final double pauseAbove;
    private final double resumeBelow;

    private ConsumerGroupConfig(Builder b) {
        this.groupId = b.groupId;
        this.topics = List.copyOf(b.topics);
        this.topicPattern = b.topicPattern;
        this.kafkaProperties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.kafkaProperties));
        this.initialPosition = b.initialPosition;
        this.offsetResetPolicy = b.offsetResetPolicy;
        this.commitMode = b.commitMode;
        this.commitInterval = b.commitInterval;
        this.commitTimeout = b.commitTimeout;
        this.pollTimeout = b.pollTimeout;
        this.metadataMaxAge = b.metadataMaxAge;
        this.revokeTimeout = b.revokeTimeout;
        this.stallTimeout = b.stallTimeout;
        this.joinTimeout = b.joinTimeout;
        this.logContext = b.logContext;
        this.maxQueuedRecords = b.maxQueuedRecords;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.pauseAbove = b.pauseAbove;
        this.resumeBelow = b.resumeBelow;
    }

    /**
     * A new builder with every default.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from {@code base}'s values.
     *
     * @param base the configuration to copy
     * @return the builder
     */
    public static Builder from(ConsumerGroupConfig base) {
        return new Builder(base);
    }

    /**
     * Builds a configuration from properties: {@code syncer.consumer.group.id},
     * {@code .topics} (comma-separated) or {@code .topic.pattern}, {@code .bootstrap.servers},
     * {@code .initial.position} (earliest|latest), {@code .offset.reset.policy}
     * (fail|earliest|latest|by-duration:&lt;d&gt;), {@code .commit.mode}
     * (at_least_once|at_most_once), {@code .commit.interval}, {@code .commit.timeout},
     * {@code .poll.timeout}, {@code .metadata.max.age}, {@code .revoke.timeout}, {@code .stall.timeout},
     * {@code .max.queued.records}, {@code .max.queued.bytes}; durations as {@code 500ms},
     * {@code 5s} or {@code PT5S}. Keys under {@value #KAFKA_PREFIX} go to the Kafka consumer.
     *
     * @param props the properties
     * @return the validated configuration
     * @throws IllegalArgumentException on an unknown {@code syncer.consumer.} key or a bad value
     */
    public static ConsumerGroupConfig fromProperties(Properties props) {
        Builder b = builder();
        binding(b).apply(props, b::kafkaProperties);
        return b.build();
    }

    /**
     * The keys {@link #fromProperties} accepts (with the {@value #PREFIX} prefix) and the kind of
     * value each takes, in a stable order; the configuration reference (docs/configuration.md) is
     * generated from it.
     *
     * @return key to kind (text, integer, duration, true|false, a list of choices...)
     */
    public static Map<String, String> propertyKeys() {
        return binding(builder()).keys();
    }

    private static ConfigProperties binding(Builder b) {
        return new ConfigProperties(PREFIX, KAFKA_PREFIX)
                .string("group.id", b::groupId)
                .list("topics", b::topics)
                .string("topic.pattern", p -> b.topicPattern(Pattern.compile(p)))
                .string("bootstrap.servers", b::bootstrapServers)
                .choice("initial.position", "earliest|latest",
                        v -> b.initialPosition(InitialPosition.valueOf(v.toUpperCase(Locale.ROOT))))
                .choice("offset.reset.policy", "fail|earliest|latest|by-duration:<d>", v -> b.offsetResetPolicy(
                        OffsetResetPolicy.parse(v, d -> Durations.parse(PREFIX + "offset.reset.policy", d))))
                .choice("commit.mode", "at_least_once|at_most_once",
                        v -> b.commitMode(CommitMode.valueOf(v.toUpperCase(Locale.ROOT))))
                .duration("commit.interval", b::commitInterval)
                .duration("commit.timeout", b::commitTimeout)
                .duration("poll.timeout", b::pollTimeout)
                .duration("metadata.max.age", b::metadataMaxAge)
                .duration("revoke.timeout", b::revokeTimeout)
                .duration("stall.timeout", b::stallTimeout)
                .duration("join.timeout", b::joinTimeout)
                .bool("log.context", b::logContext)
                .integer("max.queued.records", b::maxQueuedRecords)
                .longValue("max.queued.bytes", b::maxQueuedBytes);
    }

    /** @return the consumer group id */
    public String groupId() {
        return groupId;
    }

    /** @return the subscribed topics, empty when a pattern is used */
    public List<String> topics() {
        return topics;
    }

    /** @return the subscribed pattern, or {@code null} when a topic list is used */
    public Pattern topicPattern() {
        return topicPattern;
    }

    /** @return Kafka consumer properties as given (unmodifiable) */
    public Map<String, Object> kafkaProperties() {
        return kafkaProperties;
    }

    /** @return where partitions without a committed offset start */
    public InitialPosition initialPosition() {
        return initialPosition;
    }

    /** @return what an out-of-range position does */
    public OffsetResetPolicy offsetResetPolicy() {
        return offsetResetPolicy;
    }

    /** @return when offsets may be committed */
    public CommitMode commitMode() {
        return commitMode;
    }

    /** @return how often processed offsets are committed asynchronously */
    public Duration commitInterval() {
        return commitInterval;
    }

    /** @return the bound on a synchronous commit (on revoke and close) */
    public Duration commitTimeout() {
        return commitTimeout;
    }

    /** @return how long one poll waits for records */
    public Duration pollTimeout() {
        return pollTimeout;
    }

    /** @return the metadata refresh interval used unless the Kafka properties set one */
    public Duration metadataMaxAge() {
        return metadataMaxAge;
    }

    /** @return how long a revoke waits for in-flight records of revoked partitions */
    public Duration revokeTimeout() {
        return revokeTimeout;
    }

    /** @return how long a lagging partition's committed offset may stand still before it is reported stalled */
    public Duration stallTimeout() {
        return stallTimeout;
    }

    /** @return whether the {@link io.syncer.LogContext} MDC keys are set around calls into application code */
    public boolean logContext() {
        return logContext;
    }

    /** @return how long the manager may go without joining its group before health says why (DEGRADED) */
    public Duration joinTimeout() {
        return joinTimeout;
    }

    /** @return the bound on queued (handed over, not yet processed) records */
    public int maxQueuedRecords() {
        return maxQueuedRecords;
    }

    /** @return the bound on queued bytes */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** @return queue fill fraction above which partitions holding more than their share pause */
    public double pauseAbove() {
        return pauseAbove;
    }

    /** @return queue fill fraction below which paused partitions resume */
    public double resumeBelow() {
        return resumeBelow;
    }

    @Override
    public String toString() {
        return "ConsumerGroupConfig{groupId=" + groupId
                + (topicPattern != null ? ", pattern=" + topicPattern : ", topics=" + topics)
                + ", initialPosition=" + initialPosition + ", offsetResetPolicy=" + offsetResetPolicy
                + ", commitMode=" + commitMode + ", commitInterval=" + commitInterval
                + ", maxQueuedRecords=" + maxQueuedRecords + ", maxQueuedBytes=" + maxQueuedBytes
                + ", kafkaPropertyKeys=" + kafkaProperties.keySet() + '}';
    }

    /**
     * Validating builder: each setter rejects a bad value at once; {@link #build()} checks the rules
     * that span settings. Not thread-safe.
     */
    public static final class Builder {
        private String groupId;
        private List<String> topics = new ArrayList<>();
        private Pattern topicPattern;
        private final Map<String, Object> kafkaProperties = new LinkedHashMap<>();
        private InitialPosition initialPosition = DEFAULT_INITIAL_POSITION;
        private OffsetResetPolicy offsetResetPolicy = DEFAULT_OFFSET_RESET_POLICY;
        private CommitMode commitMode = DEFAULT_COMMIT_MODE;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration commitTimeout = DEFAULT_COMMIT_TIMEOUT;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration metadataMaxAge = DEFAULT_METADATA_MAX_AGE;
        private Duration revokeTimeout = DEFAULT_REVOKE_TIMEOUT;
        private Duration stallTimeout = DEFAULT_STALL_TIMEOUT;
        private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;
        private boolean logContext = DEFAULT_LOG_CONTEXT;
        private int maxQueuedRecords = DEFAULT_MAX_QUEUED_RECORDS;
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private double pauseAbove = DEFAULT_PAUSE_ABOVE;
        private double resumeBelow = DEFAULT_RESUME_BELOW;

        private Builder() {
        }

        private Builder(ConsumerGroupConfig c) {
            groupId = c.groupId;
            topics = new ArrayList<>(c.topics);
            topicPattern = c.topicPattern;
            kafkaProperties.putAll(c.kafkaProperties);
            initialPosition = c.initialPosition;
            offsetResetPolicy = c.offsetResetPolicy;
            commitMode = c.commitMode;
            commitInterval = c.commitInterval;
            commitTimeout = c.commitTimeout;
            pollTimeout = c.pollTimeout;
            metadataMaxAge = c.metadataMaxAge;
            revokeTimeout = c.revokeTimeout;
            stallTimeout = c.stallTimeout;
            joinTimeout = c.joinTimeout;
            logContext = c.logContext;
            maxQueuedRecords = c.maxQueuedRecords;
            maxQueuedBytes = c.maxQueuedBytes;
            pauseAbove = c.pauseAbove;
            resumeBelow = c.resumeBelow;
        }

        /**
         * The consumer group id. Required.
         *
         * @param groupId non-blank
         * @return this builder
         */
        public Builder groupId(String groupId) {
            this.groupId = Require.notBlank("groupId", groupId);
            return this;
        }

        /**
         * Subscribe to these topics (replaces earlier topics). Exclusive with {@link #topicPattern}.
         *
         * @param topics one or more non-blank topic names
         * @return this builder
         */
        public Builder topics(List<String> topics) {
            Objects.requireNonNull(topics, "topics");
            Require.argument(!topics.isEmpty(), "topics must not be empty");
            for (String t : topics) {
                Require.notBlank("topic", t);
            }
            this.topics = new ArrayList<>(topics);
            return this;
        }

        /**
         * Subscribe to these topics; see {@link #topics(List)}.
         *
         * @param topics one or more topic names
         * @return this builder
         */
        public Builder topics(String... topics) {
            return topics(List.of(topics));
        }

        /**
         * Subscribe to every topic matching {@code pattern}, including topics created later (seen
         * within about {@link #metadataMaxAge} plus a rebalance). Exclusive with {@link #topics}.
         *
         * @param pattern the pattern
         * @return this builder
         */
        public Builder topicPattern(Pattern pattern) {
            this.topicPattern = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        /**
         * Shortcut for the Kafka property {@code bootstrap.servers}.
         *
         * @param bootstrapServers {@code host:port[,host:port]}
         * @return this builder
         */
        public Builder bootstrapServers(String bootstrapServers) {
            kafkaProperties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Require.notBlank("bootstrapServers", bootstrapServers));
            return this;
        }

        /**
         * Adds Kafka consumer properties, passed to {@code KafkaConsumer} untouched (see the class
         * Javadoc for the few the manager owns).
         *
         * @param properties consumer properties
         * @return this builder
         */
        public Builder kafkaProperties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "properties");
            properties.forEach((k, v) -> kafkaProperties.put(Objects.requireNonNull(k), Objects.requireNonNull(v, k)));
            return this;
        }

        /**
         * Sets one Kafka consumer property.
         *
         * @param key the consumer property key
         * @param value its value
         * @return this builder
         */
        public Builder kafkaProperty(String key, Object value) {
            kafkaProperties.put(Require.notBlank("key", key), Objects.requireNonNull(value, key));
            return this;
        }

        /**
         * Where a partition with no committed offset starts. Default
         * {@link #DEFAULT_INITIAL_POSITION} (earliest).
         *
         * @param position the position
         * @return this builder
         */
        public Builder initialPosition(InitialPosition position) {
            this.initialPosition = Objects.requireNonNull(position, "position");
            return this;
        }

        /**
         * What an out-of-range position does. Default {@link #DEFAULT_OFFSET_RESET_POLICY} (fail the
         * partition closed).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder offsetResetPolicy(OffsetResetPolicy policy) {
            this.offsetResetPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * When offsets may be committed. Default {@link #DEFAULT_COMMIT_MODE} (at least once).
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder commitMode(CommitMode mode) {
            this.commitMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How often processed offsets are committed asynchronously. Default
         * {@link #DEFAULT_COMMIT_INTERVAL} (1 s).
         *
         * @param interval positive
         * @return this builder
         */
        public Builder commitInterval(Duration interval) {
            this.commitInterval = Require.positive("commitInterval", interval);
            return this;
        }

        /**
         * Bound on each synchronous commit (on revoke and close). Default
         * {@link #DEFAULT_COMMIT_TIMEOUT} (10 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder commitTimeout(Duration timeout) {
            this.commitTimeout = Require.positive("commitTimeout", timeout);
            return this;
        }

        /**
         * How long one poll waits for records; also the longest delay before a resume or a periodic
         * commit takes effect. Default {@link #DEFAULT_POLL_TIMEOUT} (100 ms).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = Require.positive("pollTimeout", timeout);
            return this;
        }

        /**
         * Metadata refresh interval, used as {@code metadata.max.age.ms} unless the Kafka properties
         * set it: bounds how late partitions added at runtime and new topics matching the pattern
         * are noticed. Default {@link #DEFAULT_METADATA_MAX_AGE} (5 s).
         *
         * @param maxAge positive
         * @return this builder
         */
        public Builder metadataMaxAge(Duration maxAge) {
            this.metadataMaxAge = Require.positive("metadataMaxAge", maxAge);
            return this;
        }

        /**
         * How long a revoke waits for in-flight records of revoked partitions before their final
         * commit; keep it below {@code max.poll.interval.ms}. Default
         * {@link #DEFAULT_REVOKE_TIMEOUT} (10 s).
         *
         * @param timeout not negative
         * @return this builder
         */
        public Builder revokeTimeout(Duration timeout) {
            this.revokeTimeout = Require.nonNegative("revokeTimeout", timeout);
            return this;
        }

        /**
         * The stall watchdog: a partition that lags while its committed offset has not moved for this
         * long is reported in {@link GroupHealth#stalledPartitions()} (state
         * {@link ManagerState#DEGRADED}) until its offset moves again. Default
         * {@link #DEFAULT_STALL_TIMEOUT} (60 s).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = Require.positive("stallTimeout", timeout);
            return this;
        }

        /**
         * How long the manager may run without joining its group (no broker reachable, a wrong
         * {@code bootstrap.servers}, a rebalance that never ends) before
         * {@link GroupHealth#startupProblem()} says why and the state turns
         * {@link ManagerState#DEGRADED}; the manager keeps trying, and recovers by itself once it
         * joins. {@link ConsumerGroupManager#awaitRunning} fails with the same reason. Default
         * {@link #DEFAULT_JOIN_TIMEOUT} (30 s); {@code syncer.consumer.join.timeout} in properties.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder joinTimeout(Duration timeout) {
            this.joinTimeout = Require.positive("joinTimeout", timeout);
            return this;
        }

        /**
         * Whether the SLF4J MDC carries {@link io.syncer.LogContext}'s keys (group, topic, partition, offset, sink)
         * around every call into application code: the decoder, the worker, a pipeline's router and transforms, a
         * handler's callbacks, a sink's writes; cleared after each. Default {@link #DEFAULT_LOG_CONTEXT} (off: it
         * costs a map copy per record with log4j2); {@code syncer.consumer.log.context} in properties.
         *
         * @param on whether to set them
         * @return this builder
         */
        public Builder logContext(boolean on) {
            this.logContext = on;
            return this;
        }

        /**
         * Bound on records handed to the handler and not yet processed (for the
         * {@link io.syncer.queue.QueueWorker}: queued plus in flight). It also bounds, per partition,
         * how far consumption runs ahead of the partition's oldest unfinished record: a record that
         * never finishes (a stage that never completes) pauses its partition after this many later
         * records, so the offset tracking behind it stays bounded (about 17 bytes a record). Default
         * {@link #DEFAULT_MAX_QUEUED_RECORDS} (10,000).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxQueuedRecords(int max) {
            this.maxQueuedRecords = Require.positive("maxQueuedRecords", max);
            return this;
        }

        /**
         * Bound on the heap held by records handed over and not yet processed: their serialized key,
         * value and headers plus {@link #QUEUED_RECORD_OVERHEAD_BYTES} each. A single record larger
         * than this is admitted only into an empty queue. Default {@link #DEFAULT_MAX_QUEUED_BYTES}
         * (64 MiB). The consumer's fetch buffers come on top, up to about twice {@code fetch.max.bytes}
         * (which is this bound, capped at 50 MiB, unless set).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxQueuedBytes(long max) {
            this.maxQueuedBytes = Require.positive("maxQueuedBytes", max);
            return this;
        }

        /**
         * Queue fill fraction above which a partition holding at least its share
         * ({@code pauseAbove / assigned partitions}) is paused. Default {@link #DEFAULT_PAUSE_ABOVE}.
         *
         * @param fraction between 0 and 1, exclusive
         * @return this builder
         */
        public Builder pauseAbove(double fraction) {
            this.pauseAbove = Require.fraction("pauseAbove", fraction);
            return this;
        }

        /**
         * Queue fill fraction below which paused partitions resume. Default
         * {@link #DEFAULT_RESUME_BELOW}.
         *
         * @param fraction between 0 and 1, exclusive
         * @return this builder
         */
        public Builder resumeBelow(double fraction) {
            this.resumeBelow = Require.fraction("resumeBelow", fraction);
            return this;
        }

        /**
         * Validates the settings together and builds.
         *
         * @return the configuration
         * @throws IllegalArgumentException when a required setting is missing or settings conflict
         */
        public ConsumerGroupConfig build() {
            Require.argument(groupId != null, "groupId is required: ConsumerGroupConfig.builder().groupId(...), or "
                    + "syncer.consumer.group.id in a properties file%s",
                    kafkaProperties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)
                            ? " (a Kafka group.id property alone is not used: the group is syncer's setting)" : "");
            Require.argument(topics.isEmpty() != (topicPattern == null),
                    "set exactly one of topics or topicPattern");
            Require.argument(kafkaProperties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG),
                    "bootstrap.servers is required (bootstrapServers(...) or kafkaProperties)");
            Require.argument(resumeBelow < pauseAbove, "resumeBelow (%s) must be below pauseAbove (%s)",
                    resumeBelow, pauseAbove);
            Object maxPollInterval = kafkaProperties.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
            if (maxPollInterval != null) {
                long rebalanceTimeoutMs = Long.parseLong(maxPollInterval.toString().trim());
                Require.argument(revokeTimeout.toMillis() < rebalanceTimeoutMs,
                        "revokeTimeout (%s) must be below max.poll.interval.ms (%s ms), the rebalance timeout",
                        revokeTimeout, rebalanceTimeoutMs);
            }
            Object autoCommit = kafkaProperties.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            Require.argument(autoCommit == null || "false".equalsIgnoreCase(autoCommit.toString()),
                    "enable.auto.commit must not be enabled: the manager commits processed offsets itself");
            Require.argument(!kafkaProperties.containsKey(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
                    "do not set auto.offset.reset: use initialPosition(...) and offsetResetPolicy(...)");
            Require.argument(!kafkaProperties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)
                            || groupId.equals(kafkaProperties.get(ConsumerConfig.GROUP_ID_CONFIG)),
                    "group.id in kafkaProperties (%s) differs from groupId (%s): set the group once, with groupId(...) "
                            + "or syncer.consumer.group.id", kafkaProperties.get(ConsumerConfig.GROUP_ID_CONFIG), groupId);
            return new ConsumerGroupConfig(this);
        }
    }
}
