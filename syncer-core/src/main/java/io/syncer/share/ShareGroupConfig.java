package io.syncer.share;

import io.syncer.commit.InitialPosition;
import io.syncer.internal.util.Require;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Immutable configuration of a {@link ShareGroupManager}: which share group, which topics, how many
 * share consumers this instance runs, and the queue bound that decides how many records they
 * acquire.
 *
 * <p>The manager owns a few Kafka share-consumer properties: {@code share.acknowledgement.mode} is
 * {@code explicit} (each record is accepted, released or rejected from its outcome),
 * {@code share.acquire.mode} is {@code record_limit} and {@code max.poll.records} is the consumer's
 * share of {@link #maxQueuedRecords()}, so the instance never acquires more than its queue holds
 * (a record waiting in a full queue would use up its acquisition lock), and the deserializers are
 * byte arrays. Other Kafka properties pass through.
 */
public final class ShareGroupConfig {
    /** Default {@link Builder#consumers}: 2 share consumers per instance, so the queue stays fed while one poll's records finish. */
    public static final int DEFAULT_CONSUMERS = 2;
    /** Default {@link Builder#maxQueuedRecords}: 1,000 records acquired and not yet acknowledged, for the whole instance. */
    public static final int DEFAULT_MAX_QUEUED_RECORDS = 1_000;
    /** Default {@link Builder#initialPosition}: {@link InitialPosition#EARLIEST}, as in consumer-group mode (Kafka's own default for a new share group is the log end). */
    public static final InitialPosition DEFAULT_INITIAL_POSITION = InitialPosition.EARLIEST;
    /** Default {@link Builder#pollTimeout}: 100 ms. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default {@link Builder#acknowledgeInterval}: 100 ms. */
    public static final Duration DEFAULT_ACKNOWLEDGE_INTERVAL = Duration.ofMillis(100);
    /** Default {@link Builder#lockMargin}: 5 s. */
    public static final Duration DEFAULT_LOCK_MARGIN = Duration.ofSeconds(5);
    /** Default {@link Builder#deliveryCountLimit}: 5, Kafka's default {@code group.share.delivery.count.limit}. */
    public static final int DEFAULT_DELIVERY_COUNT_LIMIT = 5;
    /** Default {@link Builder#renewLocks}: off (the group must allow it; the manager then enables it on the group). */
    public static final boolean DEFAULT_RENEW_LOCKS = false;
    /** Default {@link Builder#lockDuration}: 30 s, Kafka's default {@code group.share.record.lock.duration.ms}. */
    public static final Duration DEFAULT_LOCK_DURATION = Duration.ofSeconds(30);

    /** Share-consumer properties the manager sets itself. */
    public static final Set<String> OWNED_KAFKA_PROPERTIES = Set.of(ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "share.acknowledgement.mode", "share.acquire.mode",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);

    private final String groupId;
    private final List<String> topics;
    private final Map<String, Object> kafkaProperties;
    private final int consumers;
    private final int maxQueuedRecords;
    private final InitialPosition initialPosition;
    private final Duration pollTimeout;
    private final Duration acknowledgeInterval;
    private final Duration lockMargin;
    private final Duration lockDuration;
    private final int deliveryCountLimit;
    private final boolean renewLocks;

    private ShareGroupConfig(Builder b) {
        this.groupId = b.groupId;
        this.topics = List.copyOf(b.topics);
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.kafkaProperties));
        this.consumers = b.consumers;
        this.maxQueuedRecords = b.maxQueuedRecords;
        this.initialPosition = b.initialPosition;
        this.pollTimeout = b.pollTimeout;
        this.acknowledgeInterval = b.acknowledgeInterval;
        this.lockMargin = b.lockMargin;
        this.lockDuration = b.lockDuration;
        this.deliveryCountLimit = b.deliveryCountLimit;
        this.renewLocks = b.renewLocks;
    }

    /**
     * A new builder with every default.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the share group id */
    public String groupId() {
        return groupId;
    }

    /** @return the subscribed topics */
    public List<String> topics() {
        return topics;
    }

    /** @return Kafka share-consumer properties as given (unmodifiable) */
    public Map<String, Object> kafkaProperties() {
        return kafkaProperties;
    }

    /** @return share consumers in this instance, each on its own thread */
    public int consumers() {
        return consumers;
    }

    /** @return records acquired and not yet acknowledged, at most, for the whole instance */
    public int maxQueuedRecords() {
        return maxQueuedRecords;
    }

    /** @return records one share consumer acquires per poll at most: its share of {@link #maxQueuedRecords()} */
    public int recordsPerPoll() {
        return Math.max(1, maxQueuedRecords / consumers);
    }

    /** @return where a new share group starts */
    public InitialPosition initialPosition() {
        return initialPosition;
    }

    /** @return how long one poll waits */
    public Duration pollTimeout() {
        return pollTimeout;
    }

    /** @return how often acknowledgements are sent while a poll's records are in work */
    public Duration acknowledgeInterval() {
        return acknowledgeInterval;
    }

    /** @return how long before its lock expires an unfinished record is released */
    public Duration lockMargin() {
        return lockMargin;
    }

    /** @return the acquisition lock assumed until the broker reports its own */
    public Duration lockDuration() {
        return lockDuration;
    }

    /** @return deliveries after which the broker archives a record */
    public int deliveryCountLimit() {
        return deliveryCountLimit;
    }

    /** @return whether the locks of records in work are renewed (RENEW) instead of expiring */
    public boolean renewLocks() {
        return renewLocks;
    }

    @Override
    public String toString() {
        return "ShareGroupConfig{groupId=" + groupId + ", topics=" + topics + ", consumers=" + consumers
                + ", maxQueuedRecords=" + maxQueuedRecords + ", initialPosition=" + initialPosition
                + ", deliveryCountLimit=" + deliveryCountLimit + ", kafkaPropertyKeys=" + kafkaProperties.keySet() + '}';
    }

    /** Validating builder; not thread-safe. */
    public static final class Builder {
        private String groupId;
        private List<String> topics = new ArrayList<>();
        private final Map<String, Object> kafkaProperties = new LinkedHashMap<>();
        private int consumers = DEFAULT_CONSUMERS;
        private int maxQueuedRecords = DEFAULT_MAX_QUEUED_RECORDS;
        private InitialPosition initialPosition = DEFAULT_INITIAL_POSITION;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration acknowledgeInterval = DEFAULT_ACKNOWLEDGE_INTERVAL;
        private Duration lockMargin = DEFAULT_LOCK_MARGIN;
        private Duration lockDuration = DEFAULT_LOCK_DURATION;
        private int deliveryCountLimit = DEFAULT_DELIVERY_COUNT_LIMIT;
        private boolean renewLocks = DEFAULT_RENEW_LOCKS;

        private Builder() {
        }

        /**
         * The share group id. Required.
         *
         * @param groupId non-blank
         * @return this builder
         */
        public Builder groupId(String groupId) {
            this.groupId = Require.notBlank("groupId", groupId);
            return this;
        }

        /**
         * Subscribe to these topics (share consumers take no pattern). Required.
         *
         * @param topics one or more non-blank topic names
         * @return this builder
         */
        public Builder topics(List<String> topics) {
            Objects.requireNonNull(topics, "topics");
            Require.argument(!topics.isEmpty(), "topics must not be empty");
            topics.forEach(t -> Require.notBlank("topic", t));
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
         * Adds Kafka share-consumer properties (security, client id...), passed through except
         * {@link #OWNED_KAFKA_PROPERTIES}, which are rejected.
         *
         * @param properties share-consumer properties
         * @return this builder
         */
        public Builder kafkaProperties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "properties");
            properties.forEach(this::kafkaProperty);
            return this;
        }

        /**
         * Sets one Kafka share-consumer property; see {@link #kafkaProperties}.
         *
         * @param key the property key
         * @param value its value
         * @return this builder
         */
        public Builder kafkaProperty(String key, Object value) {
            Require.notBlank("key", key);
            Require.argument(!OWNED_KAFKA_PROPERTIES.contains(key), "%s is set by the share-group manager; "
                    + "use groupId and maxQueuedRecords", key);
            kafkaProperties.put(key, Objects.requireNonNull(value, key));
            return this;
        }

        /**
         * Share consumers in this instance, each on its own thread ({@code syncer-share-<group>-<n>}). A
         * consumer polls again only when every record of its last poll is acknowledged (Kafka's rule in
         * explicit mode), so more than one keeps the queue fed meanwhile. Default {@link #DEFAULT_CONSUMERS}.
         *
         * @param consumers at least 1
         * @return this builder
         */
        public Builder consumers(int consumers) {
            this.consumers = Require.positive("consumers", consumers);
            return this;
        }

        /**
         * Records acquired and not yet acknowledged, at most, for the whole instance; each consumer acquires
         * its share per poll. Keep it below what the workers finish within a lock. Default
         * {@link #DEFAULT_MAX_QUEUED_RECORDS}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxQueuedRecords(int max) {
            this.maxQueuedRecords = Require.positive("maxQueuedRecords", max);
            return this;
        }

        /**
         * Where the share group starts when it has no state yet, set on the group as
         * {@code share.auto.offset.reset} through Admin at start (it affects only partitions the group has
         * not started yet). Default {@link #DEFAULT_INITIAL_POSITION} (earliest).
         *
         * @param position the position
         * @return this builder
         */
        public Builder initialPosition(InitialPosition position) {
            this.initialPosition = Objects.requireNonNull(position, "position");
            return this;
        }

        /**
         * How long one poll waits for records. Default {@link #DEFAULT_POLL_TIMEOUT}.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = Require.positive("pollTimeout", timeout);
            return this;
        }

        /**
         * How often the acknowledgements of finished records are sent while the rest of their poll is in
         * work, so each record leaves the broker's in-flight set soon after it is done. Default
         * {@link #DEFAULT_ACKNOWLEDGE_INTERVAL}.
         *
         * @param interval positive
         * @return this builder
         */
        public Builder acknowledgeInterval(Duration interval) {
            this.acknowledgeInterval = Require.positive("acknowledgeInterval", interval);
            return this;
        }

        /**
         * Safety margin before a record's acquisition lock expires: a retry runs in process only if its
         * backoff ends this long before the lock does (else the record is released and the broker redelivers
         * it), and a record still unfinished this long before is released. Default {@link #DEFAULT_LOCK_MARGIN}.
         *
         * @param margin positive
         * @return this builder
         */
        public Builder lockMargin(Duration margin) {
            this.lockMargin = Require.positive("lockMargin", margin);
            return this;
        }

        /**
         * The acquisition lock assumed until the broker reports the group's own (a share consumer learns
         * it with its first records). Default {@link #DEFAULT_LOCK_DURATION}.
         *
         * @param duration positive
         * @return this builder
         */
        public Builder lockDuration(Duration duration) {
            this.lockDuration = Require.positive("lockDuration", duration);
            return this;
        }

        /**
         * The group's delivery count limit ({@code share.delivery.count.limit}, by default the broker's
         * {@code group.share.delivery.count.limit}): a record on its last delivery is never released (the broker
         * would archive it, and before Kafka 4.4 an archived record is gone), it is dead-lettered instead. The
         * manager reads the group's own value through Admin at start and uses it; this one applies only when the
         * broker does not say. Default {@link #DEFAULT_DELIVERY_COUNT_LIMIT}.
         *
         * @param limit 2 to 10, as Kafka allows
         * @return this builder
         */
        public Builder deliveryCountLimit(int limit) {
            Require.argument(limit >= 2 && limit <= 10, "deliveryCountLimit must be 2 to 10, got %s", limit);
            this.deliveryCountLimit = limit;
            return this;
        }

        /**
         * Renews the acquisition lock (RENEW) of every record still in work every half lock, so work longer than the
         * lock keeps its records and a retry may wait out any backoff; the manager sets
         * {@code share.renew.acknowledge.enable=true} on the group at start (Kafka 4.2+). Off, a record still in work
         * {@link #lockMargin} before its lock expires is released, and a backoff that does not fit the lock is a
         * RELEASE. Default {@link #DEFAULT_RENEW_LOCKS}.
         *
         * @param renew whether to renew
         * @return this builder
         */
        public Builder renewLocks(boolean renew) {
            this.renewLocks = renew;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws IllegalArgumentException without a group id, topics or bootstrap servers, or with a lock
         *     margin not below the lock duration
         */
        public ShareGroupConfig build() {
            Require.argument(groupId != null, "groupId is required");
            Require.argument(!topics.isEmpty(), "topics are required");
            Require.argument(kafkaProperties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG),
                    "bootstrapServers is required");
            Require.argument(lockMargin.compareTo(lockDuration) < 0, "lockMargin (%s) must be below lockDuration (%s)",
                    lockMargin, lockDuration);
            return new ShareGroupConfig(this);
        }
    }
}
