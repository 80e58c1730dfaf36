package io.syncer.internal.share;

import io.syncer.ConfigurationException;
import io.syncer.SyncerException;
import io.syncer.commit.InitialPosition;
import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.GroupSession;
import io.syncer.consume.ManagerState;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.internal.metrics.SafeMetrics;
import io.syncer.internal.util.NamedThreadFactory;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.share.ShareGroupConfig;
import io.syncer.share.ShareGroupManager;
import io.syncer.share.ShareGroupStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ShareGroupManager} implementation: {@link ShareGroupConfig#consumers()} {@link ShareConsumerLoop}s, each
 * owning one share consumer on its own thread, feeding one handler. This class holds the lifecycle, the group
 * setup through Admin and the counts; the loops hold the consumers.
 */
public final class DefaultShareGroupManager implements ShareGroupManager {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultShareGroupManager.class);
    /** The group config that says where a new share group starts. */
    static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    /** The group config after how many deliveries the broker archives a record. */
    static final String DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
    /** The group config that lets members renew their locks. */
    static final String RENEW_ENABLE = "share.renew.acknowledge.enable";

    private final ShareGroupConfig config;
    private final ConsumerGroupHandler handler;
    private final SyncerMetrics metrics;
    private final GroupSession session;
    private final List<ShareConsumerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<ManagerState> state = new AtomicReference<>(ManagerState.NEW);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<String> lastHalt = new AtomicReference<>();
    private volatile boolean stopping;
    private volatile boolean abandoning;
    private volatile boolean closed;
    /** The group's delivery count limit as the broker reports it at start, else the configured one. */
    private volatile int deliveryCountLimit;

    final LongAdder acquired = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder renewed = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder acknowledgementFailures = new LongAdder();
    final LongAdder lapsed = new LongAdder();
    final AtomicInteger maxDeliveryCount = new AtomicInteger();
    /** Makes each loop's share consumer from its properties: Kafka's, or a test's. */
    private final Function<Map<String, Object>, ShareConsumer<byte[], byte[]>> consumers;

    public DefaultShareGroupManager(ShareGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics) {
        this(config, handler, metrics, props -> new KafkaShareConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()));
    }

    /** With the factory of the share consumers: package-private, for tests that script a consumer. */
    DefaultShareGroupManager(ShareGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics,
                             Function<Map<String, Object>, ShareConsumer<byte[], byte[]>> consumers) {
        this.consumers = consumers;
        this.config = config;
        this.handler = handler;
        this.metrics = SafeMetrics.of(metrics);
        if (handler instanceof QueueWorker<?> queue) {
            if (queue.config().ordering() != OrderingMode.UNORDERED) {
                throw new IllegalArgumentException("a share group delivers the records of a partition to many consumers"
                        + " at once, so it keeps no order: configure the queue worker with OrderingMode.UNORDERED, not "
                        + queue.config().ordering());
            }
            if (queue.config().deadLetterPolicy().kind() != DeadLetterPolicy.Kind.TOPIC) {
                throw new IllegalArgumentException("a share group has no partition to halt, and a record it gives up is"
                        + " archived by the broker (gone before Kafka 4.4): configure a dead-letter topic"
                        + " (DeadLetterPolicy.toTopic)");
            }
        }
        this.session = new ShareSession(config.groupId(), this.metrics);
        this.deliveryCountLimit = config.deliveryCountLimit();
    }

    /** @return deliveries after which the broker archives a record: the group's, read at start */
    int deliveryCountLimit() {
        return deliveryCountLimit;
    }

    @Override
    public void start() {
        if (!state.compareAndSet(ManagerState.NEW, ManagerState.STARTING)) {
            throw new IllegalStateException("share group manager " + config.groupId() + " was already started");
        }
        try {
            handler.setup(session);
        } catch (Exception e) {
            fail(new SyncerException("handler setup failed for share group " + config.groupId(), e));
            return;
        }
        metrics.bindGroup(config.groupId(), this::health);
        Thread setup = NamedThreadFactory.newThread("syncer-share-" + config.groupId() + "-setup", true, this::runConsumers);
        threads.add(setup);
        setup.start();
    }

    /** Sets the group's initial position, then starts the consumer threads (on the setup thread, off the caller's). */
    private void runConsumers() {
        if (!setInitialPosition()) {
            return;
        }
        synchronized (threads) {
            if (stopping) {
                return;
            }
            for (int i = 0; i < config.consumers(); i++) {
                ShareConsumerLoop loop = new ShareConsumerLoop(this, i);
                loops.add(loop);
                Thread t = NamedThreadFactory.newThread("syncer-share-" + config.groupId() + "-" + i, false, loop);
                threads.add(t);
                t.start();
            }
        }
    }

    /** {@code share.auto.offset.reset} on the group; retried until it is set or the manager stops. */
    private boolean setInitialPosition() {
        String value = config.initialPosition() == InitialPosition.LATEST ? "latest" : "earliest";
        Map<String, Object> props = new HashMap<>();
        Set<String> adminKeys = AdminClientConfig.configNames();
        config.kafkaProperties().forEach((k, v) -> {
            if (adminKeys.contains(k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "syncer-share-" + config.groupId() + "-admin");
        long backoffMs = 500;
        while (!stopping) {
            try (Admin admin = Admin.create(props)) {
                ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, config.groupId());
                List<AlterConfigOp> ops = new ArrayList<>();
                ops.add(new AlterConfigOp(new ConfigEntry(AUTO_OFFSET_RESET, value), AlterConfigOp.OpType.SET));
                if (config.renewLocks()) {
                    ops.add(new AlterConfigOp(new ConfigEntry(RENEW_ENABLE, "true"), AlterConfigOp.OpType.SET));
                }
                admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(30, TimeUnit.SECONDS);
                LOG.info("share group {}: {}={} (where partitions it has not started yet begin){}", config.groupId(),
                        AUTO_OFFSET_RESET, value, config.renewLocks() ? ", " + RENEW_ENABLE + "=true" : "");
                readDeliveryCountLimit(admin, group);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof org.apache.kafka.common.errors.AuthorizationException
                        || cause instanceof org.apache.kafka.common.errors.UnsupportedVersionException
                        || cause instanceof org.apache.kafka.common.errors.InvalidConfigurationException
                        || cause instanceof org.apache.kafka.common.errors.InvalidRequestException) {
                    fail(new ConfigurationException("share group " + config.groupId() + ": cannot set " + AUTO_OFFSET_RESET
                            + " on the group (share groups need Kafka 4.2+ with share.version=1): " + cause, cause));
                    return false;
                }
                LOG.warn("share group {}: could not set {} yet, retrying in {} ms: {}", config.groupId(), AUTO_OFFSET_RESET,
                        backoffMs, cause.toString());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
        return false;
    }

    /** The group's delivery count limit, so a last delivery is known as such; the configured value if unreadable. */
    private void readDeliveryCountLimit(Admin admin, ConfigResource group) {
        try {
            ConfigEntry entry = admin.describeConfigs(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
                    .get(DELIVERY_COUNT_LIMIT);
            if (entry != null && entry.value() != null) {
                int limit = Integer.parseInt(entry.value().trim());
                if (limit != config.deliveryCountLimit()) {
                    LOG.info("share group {}: the group's {} is {} (configured {}): using the group's", config.groupId(),
                            DELIVERY_COUNT_LIMIT, limit, config.deliveryCountLimit());
                }
                deliveryCountLimit = limit;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("share group {}: could not read {} ({}); assuming the configured {}", config.groupId(),
                    DELIVERY_COUNT_LIMIT, e.toString(), config.deliveryCountLimit());
        }
    }

    /** A share consumer for a loop, from its properties. */
    ShareConsumer<byte[], byte[]> newConsumer(Map<String, Object> props) {
        return consumers.apply(props);
    }

    ShareGroupConfig config0() {
        return config;
    }

    ConsumerGroupHandler handler() {
        return handler;
    }

    GroupSession session() {
        return session;
    }

    SyncerMetrics metrics() {
        return metrics;
    }

    boolean isStopping() {
        return stopping;
    }

    boolean isAbandoning() {
        return abandoning;
    }

    /** A loop polled successfully: the member is in the group. */
    void polled() {
        state.compareAndSet(ManagerState.STARTING, ManagerState.RUNNING);
    }

    /** A loop's consumer failed for good. */
    void fail(Throwable t) {
        if (failure.compareAndSet(null, t)) {
            LOG.error("share group {}: stopped on a failure", config.groupId(), t);
        }
        state.set(ManagerState.FAILED);
        stopping = true;
    }

    /** A record the handler halted on: released, and reported (the application is misconfigured). */
    void halted(ConsumerRecord<byte[], byte[]> record, String reason) {
        String what = record.topic() + "-" + record.partition() + "@" + record.offset() + ": " + reason;
        lastHalt.set(what);
        LOG.error("share group {}: released {} (a share group has no partition to halt)", config.groupId(), what);
    }

    void delivered(ConsumerRecord<byte[], byte[]> record) {
        int count = record.deliveryCount().map(Short::intValue).orElse(1);
        if (count > 1) {
            redelivered.increment();
        }
        maxDeliveryCount.accumulateAndGet(count, Math::max);
        metrics.shareDelivered(config.groupId(), count);
    }

    @Override
    public GroupHealth health() {
        Set<TopicPartition> seen = new java.util.HashSet<>();
        long queued = 0;
        for (ShareConsumerLoop loop : List.copyOf(loops)) {
            seen.addAll(loop.partitionsSeen());
            queued += loop.pendingRecords();
        }
        ManagerState s = state.get();
        String problem = lastHalt.get() == null ? null : "released a record the handler halted on: " + lastHalt.get();
        if (problem != null && s == ManagerState.RUNNING) {
            s = ManagerState.DEGRADED;
        }
        return new GroupHealth(s, seen, Set.of(), Map.of(), Set.of(), Map.of(), queued, 0, failure.get(), Map.of(), problem);
    }

    @Override
    public ShareGroupStats stats() {
        long queued = 0;
        for (ShareConsumerLoop loop : List.copyOf(loops)) {
            queued += loop.pendingRecords();
        }
        return new ShareGroupStats(acquired.sum(), accepted.sum(), released.sum(), rejected.sum(), renewed.sum(), redelivered.sum(),
                maxDeliveryCount.get(), acknowledgementFailures.sum(), lapsed.sum(), queued);
    }

    @Override
    public ShareGroupConfig config() {
        return config;
    }

    @Override
    public void close(Duration timeout, DrainMode mode) {
        ManagerState before = state.get();
        if (before == ManagerState.CLOSING || before == ManagerState.CLOSED || closed) {
            return;
        }
        closed = true;
        if (before != ManagerState.FAILED) {
            state.set(ManagerState.CLOSING);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (threads) {
            stopping = true;
            if (mode == DrainMode.ABANDON) {
                abandoning = true;
            }
        }
        for (ShareConsumerLoop loop : List.copyOf(loops)) {
            loop.stop(deadline);
        }
        for (Thread t : List.copyOf(threads)) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            handler.close(Duration.ofNanos(Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1))), mode);
        } catch (Exception e) {
            LOG.warn("share group {}: handler close failed: {}", config.groupId(), e.toString());
        }
        LOG.info("share group {}: closed; {}", config.groupId(), stats());
        if (state.get() == ManagerState.FAILED) {
            Throwable t = failure.get();
            throw new SyncerException("share group " + config.groupId() + " had failed: " + t, t);
        }
        state.set(ManagerState.CLOSED);
    }

    @Override
    public String toString() {
        return "ShareGroupManager{" + config.groupId() + ", " + state.get() + "}";
    }

    /** What the handler sees: the group and its metrics; share groups assign no partitions. */
    private record ShareSession(String groupId, SyncerMetrics metrics) implements GroupSession {
        @Override
        public Set<TopicPartition> assignment() {
            return Set.of();
        }

        @Override
        public Set<TopicPartition> addedPartitions() {
            return Set.of();
        }

        @Override
        public Set<TopicPartition> revokedPartitions() {
            return Set.of();
        }

        @Override
        public boolean partitionsLost() {
            return false;
        }

        @Override
        public Duration revokeTimeout() {
            return Duration.ZERO;
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
