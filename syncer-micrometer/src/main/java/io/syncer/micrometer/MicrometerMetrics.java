package io.syncer.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.PartitionStatus;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.queue.QueueWorkerStats;
import io.syncer.sink.SinkStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * {@link SyncerMetrics} on a Micrometer {@link MeterRegistry}. Pass it to
 * {@link io.syncer.consume.ConsumerGroupManager#create(io.syncer.consume.ConsumerGroupConfig,
 * io.syncer.consume.ConsumerGroupHandler, SyncerMetrics)}. Meters (all tagged {@code group}):
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>extra tags</th></tr>
 *   <tr><td>{@value #RECORDS_CONSUMED}</td><td>counter</td><td>topic, partition</td></tr>
 *   <tr><td>{@value #RECORDS_PROCESSED}</td><td>counter</td><td>topic, partition</td></tr>
 *   <tr><td>{@value #RECORDS_RETRIED}</td><td>counter</td><td>topic, partition</td></tr>
 *   <tr><td>{@value #RECORDS_DEAD_LETTERED}</td><td>counter</td><td>topic, partition</td></tr>
 *   <tr><td>{@value #RECORDS_UNROUTED}</td><td>counter</td><td>topic, partition</td></tr>
 *   <tr><td>{@value #COMMIT_LATENCY}</td><td>timer</td><td>outcome (success|failure)</td></tr>
 *   <tr><td>{@value #QUEUE_RECORDS}, {@value #QUEUE_BYTES}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@value #PARTITIONS}</td><td>gauge</td><td>state (assigned|paused|failed|stalled)</td></tr>
 *   <tr><td>{@value #PARTITION_LAG}, {@value #PARTITION_COMMITTED}</td><td>gauge</td><td>topic, partition</td></tr>
 *   <tr><td>{@value #WORKER_IN_FLIGHT}, {@value #WORKER_WAITING}</td><td>gauge</td><td>queue</td></tr>
 *   <tr><td>{@value #SINK_RECORDS}</td><td>function counter</td><td>sink, outcome (written|retried|failed)</td></tr>
 *   <tr><td>{@value #SINK_BATCHES}</td><td>function counter</td><td>sink</td></tr>
 *   <tr><td>{@value #SINK_HELD}</td><td>gauge</td><td>sink</td></tr>
 *   <tr><td>{@value #SHARE_ACQUIRED}</td><td>counter</td><td>(share groups)</td></tr>
 *   <tr><td>{@value #SHARE_ACKNOWLEDGED}</td><td>counter</td><td>type (accept|release|reject)</td></tr>
 *   <tr><td>{@value #SHARE_DELIVERY_COUNT}</td><td>distribution summary</td><td>(share groups)</td></tr>
 * </table>
 *
 * <p>Thread-safe. Per-partition meters are created on first use and cached.
 */
public final class MicrometerMetrics implements SyncerMetrics {
    /** Records handed from the consumer to the queue. */
    public static final String RECORDS_CONSUMED = "syncer.records.consumed";
    /** Records processed successfully. */
    public static final String RECORDS_PROCESSED = "syncer.records.processed";
    /** Failed attempts that will be retried. */
    public static final String RECORDS_RETRIED = "syncer.records.retried";
    /** Records written to a dead-letter topic. */
    public static final String RECORDS_DEAD_LETTERED = "syncer.records.dead.lettered";
    /** Records without a route that were dropped by policy. */
    public static final String RECORDS_UNROUTED = "syncer.records.unrouted";
    /** Offset commit latency. */
    public static final String COMMIT_LATENCY = "syncer.commit.latency";
    /** Records queued or in flight (the manager's queue bound). */
    public static final String QUEUE_RECORDS = "syncer.queue.records";
    /** Bytes queued or in flight. */
    public static final String QUEUE_BYTES = "syncer.queue.bytes";
    /** Partitions by state. */
    public static final String PARTITIONS = "syncer.partitions";
    /** Records between the committed offset and the log end, per partition. */
    public static final String PARTITION_LAG = "syncer.partition.lag";
    /** The committed offset, per partition. */
    public static final String PARTITION_COMMITTED = "syncer.partition.committed.offset";
    /** Records being processed by a queue worker now. */
    public static final String WORKER_IN_FLIGHT = "syncer.worker.in.flight";
    /** Records waiting in a queue worker (queued or waiting for a retry). */
    public static final String WORKER_WAITING = "syncer.worker.waiting";

    /** Record results of a sink, by outcome. */
    public static final String SINK_RECORDS = "syncer.sink.records";
    /** Writes handed to a sink. */
    public static final String SINK_BATCHES = "syncer.sink.batches";
    /** Records a sink's outage holds now. */
    public static final String SINK_HELD = "syncer.sink.held";

    /** Share groups: records acquired by this member's share consumers (a redelivery counts again). */
    public static final String SHARE_ACQUIRED = "syncer.share.records.acquired";
    /** Share groups: records acknowledged, by type. */
    public static final String SHARE_ACKNOWLEDGED = "syncer.share.records.acknowledged";
    /** Share groups: the delivery count of each record acquired (1 for a first delivery). */
    public static final String SHARE_DELIVERY_COUNT = "syncer.share.delivery.count";

    private static final List<String> RECORD_COUNTERS = List.of(RECORDS_CONSUMED, RECORDS_PROCESSED, RECORDS_RETRIED,
            RECORDS_DEAD_LETTERED, RECORDS_UNROUTED);

    private final MeterRegistry registry;
    private final Tags commonTags;
    private final Map<List<Object>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, MultiGauge> lag = new ConcurrentHashMap<>();
    private final Map<String, MultiGauge> committed = new ConcurrentHashMap<>();
    /** Function counters reference their source weakly: the sources are kept here, like the gauges' strong references. */
    private final List<Object> functionSources = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Binds to {@code registry}.
     *
     * @param registry where meters are registered
     */
    public MicrometerMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /**
     * Binds to {@code registry}, adding {@code commonTags} to every meter.
     *
     * @param registry where meters are registered
     * @param commonTags tags for every meter (e.g. the application)
     */
    public MicrometerMetrics(MeterRegistry registry, Iterable<Tag> commonTags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.commonTags = Tags.of(commonTags);
    }

    @Override
    public void recordsConsumed(String group, TopicPartition partition, int count) {
        counter(RECORDS_CONSUMED, group, partition).increment(count);
    }

    @Override
    public void recordProcessed(String group, TopicPartition partition) {
        counter(RECORDS_PROCESSED, group, partition).increment();
    }

    @Override
    public void recordRetried(String group, TopicPartition partition) {
        counter(RECORDS_RETRIED, group, partition).increment();
    }

    @Override
    public void recordDeadLettered(String group, TopicPartition partition) {
        counter(RECORDS_DEAD_LETTERED, group, partition).increment();
    }

    @Override
    public void recordUnrouted(String group, TopicPartition partition) {
        counter(RECORDS_UNROUTED, group, partition).increment();
    }

    @Override
    public void commitCompleted(String group, Duration latency, boolean success) {
        Timer.builder(COMMIT_LATENCY).tags(commonTags).tag("group", group).tag("outcome", success ? "success" : "failure")
                .register(registry).record(latency);
    }

    @Override
    public void partitionsUpdated(String group, Map<TopicPartition, PartitionStatus> partitions) {
        List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
        List<MultiGauge.Row<?>> committedRows = new ArrayList<>();
        partitions.forEach((tp, status) -> {
            // each record counter exists from 0 once its partition is owned, so rate() and alerts see a series
            // before the first retry or dead letter (Prometheus's advice for counters)
            for (String name : RECORD_COUNTERS) {
                counter(name, group, tp);
            }
            Tags tags = Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()));
            lagRows.add(MultiGauge.Row.of(tags, status.lag()));
            committedRows.add(MultiGauge.Row.of(tags, status.committedOffset()));
        });
        multiGauge(lag, PARTITION_LAG, group).register(lagRows, true);
        multiGauge(committed, PARTITION_COMMITTED, group).register(committedRows, true);
    }

    @Override
    public void bindGroup(String group, Supplier<GroupHealth> health) {
        gauge(QUEUE_RECORDS, Tags.of("group", group), health, h -> h.get().queuedRecords());
        gauge(QUEUE_BYTES, Tags.of("group", group), health, h -> h.get().queuedBytes());
        gauge(PARTITIONS, Tags.of("group", group, "state", "assigned"), health, h -> h.get().assignment().size());
        gauge(PARTITIONS, Tags.of("group", group, "state", "paused"), health, h -> h.get().pausedPartitions().size());
        gauge(PARTITIONS, Tags.of("group", group, "state", "failed"), health, h -> h.get().failedPartitions().size());
        gauge(PARTITIONS, Tags.of("group", group, "state", "stalled"), health, h -> h.get().stalledPartitions().size());
    }

    @Override
    public void shareAcquired(String group, int count) {
        Counter.builder(SHARE_ACQUIRED).tags(commonTags).tag("group", group).register(registry).increment(count);
    }

    @Override
    public void shareAcknowledged(String group, String type, int count) {
        Counter.builder(SHARE_ACKNOWLEDGED).tags(commonTags).tag("group", group).tag("type", type).register(registry)
                .increment(count);
    }

    @Override
    public void shareDelivered(String group, int deliveryCount) {
        io.micrometer.core.instrument.DistributionSummary.builder(SHARE_DELIVERY_COUNT).tags(commonTags).tag("group", group)
                .register(registry).record(deliveryCount);
    }

    @Override
    public void bindQueue(String group, String queue, Supplier<QueueWorkerStats> stats) {
        gauge(WORKER_IN_FLIGHT, Tags.of("group", group, "queue", queue), stats, s -> s.get().inFlight());
        gauge(WORKER_WAITING, Tags.of("group", group, "queue", queue), stats, s -> s.get().queued());
    }

    @Override
    public void bindSink(String group, String sink, Supplier<SinkStats> stats) {
        Tags tags = Tags.of("group", group, "sink", sink);
        functionCounter(SINK_RECORDS, tags.and("outcome", "written"), stats, s -> s.get().written());
        functionCounter(SINK_RECORDS, tags.and("outcome", "retried"), stats, s -> s.get().retried());
        functionCounter(SINK_RECORDS, tags.and("outcome", "failed"), stats, s -> s.get().failed());
        functionCounter(SINK_BATCHES, tags, stats, s -> s.get().batches());
        gauge(SINK_HELD, tags, stats, s -> s.get().held());
    }

    private <T> void functionCounter(String name, Tags tags, T source, ToDoubleFunction<T> value) {
        functionSources.add(source);
        FunctionCounter.builder(name, source, value).tags(commonTags).tags(tags).register(registry);
    }

    private <T> void gauge(String name, Tags tags, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).tags(commonTags).tags(tags).strongReference(true).register(registry);
    }

    private MultiGauge multiGauge(Map<String, MultiGauge> cache, String name, String group) {
        return cache.computeIfAbsent(group, g -> MultiGauge.builder(name).tags(commonTags).tag("group", g).register(registry));
    }

    /** Removes the revoked partitions' counters from the registry (their gauge rows go at the next refresh). */
    @Override
    public void partitionsRevoked(String group, java.util.Collection<TopicPartition> partitions) {
        counters.entrySet().removeIf(e -> {
            List<Object> key = e.getKey();
            if (key.get(1).equals(group) && partitions.contains(key.get(2))) {
                registry.remove(e.getValue());
                return true;
            }
            return false;
        });
    }

    private Counter counter(String name, String group, TopicPartition tp) {
        return counters.computeIfAbsent(List.of(name, group, tp), k -> Counter.builder(name).tags(commonTags)
                .tag("group", group).tag("topic", tp.topic()).tag("partition", Integer.toString(tp.partition()))
                .register(registry));
    }
}
