package io.syncer.internal.consume;

import io.syncer.SyncerException;
import io.syncer.commit.CommitMode;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.GroupSession;
import io.syncer.consume.ManagerState;
import io.syncer.consume.PartitionClaim;
import io.syncer.consume.PartitionFailure;
import io.syncer.consume.PartitionStatus;
import io.syncer.internal.metrics.SafeMetrics;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.internal.commit.OffsetTracker;
import io.syncer.internal.commit.QueueBudget;
import io.syncer.internal.util.Mdc;
import io.syncer.internal.util.NamedThreadFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ConsumerGroupManager} implementation: the poll loop.
 *
 * <p>Threading. The {@code KafkaConsumer}, the partition states and the rebalance listener are
 * confined to the poll thread ({@code syncer-poll-<group>}); its loop is poll → dispatch (admit,
 * register offsets, hand claims to the handler) → adjust pauses → commit → refresh health. Other
 * threads only read the volatile/concurrent views behind {@link #health()}, complete records through
 * {@link Claim#markProcessed} (the tracker is synchronized), and post halts and a close request.
 *
 * <p>The loop's parts, one concern each, all on the poll thread and sharing a {@link PollContext}:
 * {@link Admission} (the queue bounds, pauses and held-back records), {@link Commits} per commit
 * mode ({@link PeriodicCommits} for at least and at most once, {@link TransactionalCommits} for
 * exactly once, whose transaction cycle is all in that one class) and {@link OffsetResets} (initial
 * positions and out-of-range resets). What stays here: the loop, dispatch, the rebalance listener,
 * halts and failed partitions, the health views and the stall watchdog, and shutdown.
 */
public final class DefaultConsumerGroupManager implements ConsumerGroupManager {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultConsumerGroupManager.class);
    private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();
    private static final long MAX_FETCH_BYTES_DEFAULT = 50L * 1024 * 1024;
    private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(5);
    /** The least time the final commit of a close gets, past the close deadline if need be. */
    private static final Duration FINAL_COMMIT_FLOOR = Duration.ofSeconds(2);
    /**
     * How long the poll thread waits for the log ends of paused partitions (not fetched, so the last fetch's log end
     * goes stale), once per status refresh; after a lookup fails, none is tried for {@link #LOG_END_LOOKUP_BACKOFF}.
     */
    private static final Duration LOG_END_LOOKUP_TIMEOUT = Duration.ofMillis(500);
    private static final Duration LOG_END_LOOKUP_BACKOFF = Duration.ofSeconds(10);

    private final ConsumerGroupConfig config;
    private final ConsumerGroupHandler handler;
    private final Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory;
    private final QueueBudget budget;
    private final SyncerMetrics metrics;
    /** Exactly-once mode: offsets are committed through this producer's transactions; else {@code null}. */
    private final TransactionalKafkaProducers transactions;
    /** Requests from other threads (halts), run by the poll thread at the top of its loop. */
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();

    private final AtomicReference<ManagerState> state = new AtomicReference<>(ManagerState.NEW);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile CloseRequest closeRequest;
    private Thread pollThread;

    // Views for other threads.
    private volatile Set<TopicPartition> assignmentView = Set.of();
    private final Set<TopicPartition> pausedView = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, PartitionFailure> failedView = new ConcurrentHashMap<>();
    private final Set<TopicPartition> stalledView = ConcurrentHashMap.newKeySet();
    private volatile Map<TopicPartition, PartitionStatus> statusView = Map.of();

    // Confined to the poll thread.
    private Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
    private long lastStatusNanos = System.nanoTime();
    /** No log-end lookup of paused partitions before this time (after a failed one). */
    private long nextLogEndLookupNanos = System.nanoTime();
    private long lastJoinCheckNanos;
    private boolean shuttingDown;
    /** Why the group is not joined after the join timeout, or null. */
    private volatile String startupProblem;

    // The poll thread's parts, each one concern: commits per mode, offset resets, admission and backpressure.
    private final Context ctx = new Context();
    private final Commits commits;
    private final OffsetResets resets;
    private final Admission admission;

    public DefaultConsumerGroupManager(ConsumerGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics) {
        this(config, handler, metrics, null, KafkaConsumer::new);
    }

    /** Exactly-once mode: offsets go into {@code transactions}' transactions. */
    public DefaultConsumerGroupManager(ConsumerGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics,
                                       TransactionalKafkaProducers transactions) {
        this(config, handler, metrics, transactions, KafkaConsumer::new);
    }

    /** For tests: a consumer factory (e.g. a {@code MockConsumer}). */
    public DefaultConsumerGroupManager(ConsumerGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics,
                                       Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory) {
        this(config, handler, metrics, null, consumerFactory);
    }

    /** For tests: exactly-once mode with a consumer factory (e.g. a {@code MockConsumer}). */
    DefaultConsumerGroupManager(ConsumerGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics,
                                TransactionalKafkaProducers transactions,
                                Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory) {
        this.config = config;
        this.handler = handler;
        this.metrics = SafeMetrics.of(metrics);
        this.transactions = transactions;
        this.consumerFactory = consumerFactory;
        this.budget = new QueueBudget(config.maxQueuedRecords(), config.maxQueuedBytes());
        this.commits = transactions == null ? new PeriodicCommits(ctx) : new TransactionalCommits(ctx, transactions);
        this.resets = new OffsetResets(ctx, commits);
        this.admission = new Admission(ctx, pausedView, commits::admissionLimit);
    }

    @Override
    public ConsumerGroupConfig config() {
        return config;
    }

    @Override
    public synchronized void start() {
        if (!state.compareAndSet(ManagerState.NEW, ManagerState.STARTING)) {
            throw new IllegalStateException("manager for group " + config.groupId() + " is " + state.get());
        }
        pollThread = NamedThreadFactory.newThread("syncer-poll-" + config.groupId(), false, this::run);
        pollThread.start();
    }

    @Override
    public GroupHealth health() {
        return new GroupHealth(state.get(), assignmentView, pausedView, failedView, stalledView, statusView,
                budget.records(), budget.bytes(), failure.get(), Map.of(), startupProblem);
    }

    @Override
    public void close(Duration timeout, DrainMode mode) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            if (closeRequest == null) {
                closeRequest = new CloseRequest(deadline, mode);
                if (state.get() == ManagerState.NEW) {
                    state.set(ManagerState.CLOSED);
                    terminated.countDown();
                    return;
                }
            }
        }
        try {
            if (!terminated.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new SyncerException("group " + config.groupId() + ": close did not complete within " + timeout
                        + "; the poll thread keeps shutting down in the background");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        state.set(ManagerState.CLOSED);
        Throwable f = failure.get();
        if (f != null) {
            throw f instanceof SyncerException ? (SyncerException) f
                    : new SyncerException("group " + config.groupId() + " failed: " + f, f);
        }
    }

    // ------------------------------------------------------------------ poll thread

    private void run() {
        logContext(); // the poll thread's own log lines, and the handler's setup, cleanup and close
        try {
            consumer = consumerFactory.apply(consumerProperties());
            Listener listener = new Listener();
            if (config.topicPattern() != null) {
                consumer.subscribe(config.topicPattern(), listener);
            } else {
                consumer.subscribe(config.topics(), listener);
            }
            LOG.info("group {}: subscribed to {}; joining the group through bootstrap.servers={}", config.groupId(),
                    config.topicPattern() != null ? "pattern " + config.topicPattern() : config.topics(), bootstrapServers());
            metrics.bindGroup(config.groupId(), this::health);
            long startedNanos = System.nanoTime();
            while (closeRequest == null) {
                checkJoined(startedNanos);
                runCommands();
                pollOnce();
                admission.adjust(commits.resumeAllowed(), ps -> dispatch(ps.tp, List.of()));
                commits.maybeCommit();
                refreshStatus();
            }
        } catch (Throwable t) {
            recordFailure(t);
            state.set(ManagerState.FAILED);
            LOG.error("group {}: poll thread failed; consumption stopped", config.groupId(), t);
        } finally {
            shutdown();
        }
    }

    /**
     * Until the group is joined: once {@code joinTimeout} has passed, says why in health
     * ({@link GroupHealth#startupProblem()}, state DEGRADED) and logs it once; clears it on joining.
     */
    private void checkJoined(long startedNanos) {
        if (state.get() != ManagerState.STARTING) {
            if (startupProblem != null) {
                LOG.info("group {}: joined after all; the startup problem is over", config.groupId());
                startupProblem = null;
            }
            return;
        }
        long now = System.nanoTime();
        if (now - startedNanos < config.joinTimeout().toNanos() || now - lastJoinCheckNanos < 1_000_000_000L) {
            return;
        }
        lastJoinCheckNanos = now;
        String problem = brokerConnections() == 0
                ? "cannot reach bootstrap.servers=" + bootstrapServers() + ": no connection to any broker for "
                        + config.joinTimeout() + " (a wrong address or port, a firewall, or the cluster is down)"
                : "connected to the cluster, but not joined to group " + config.groupId() + " after " + config.joinTimeout()
                        + " (the group coordinator cannot be found, or a rebalance does not end)";
        if (startupProblem == null) {
            LOG.warn("group {}: {}; still trying", config.groupId(), problem);
        }
        startupProblem = problem;
    }

    /** Open connections of the consumer, from its own metrics; -1 when unknown. */
    private long brokerConnections() {
        return io.syncer.internal.util.ClientMetrics.brokerConnections(consumer.metrics());
    }

    private String bootstrapServers() {
        return String.valueOf(config.kafkaProperties().get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(pollTimeout());
        } catch (NoOffsetForPartitionException e) {
            resets.seekInitial(e.partitions());
            return;
        } catch (OffsetOutOfRangeException e) {
            resets.handleOutOfRange(e.offsetOutOfRangePartitions());
            return;
        } catch (WakeupException e) {
            return;
        }
        for (TopicPartition tp : records.partitions()) {
            dispatch(tp, records.records(tp));
        }
    }

    /**
     * The configured poll timeout, or {@link #PAUSED_POLL_TIMEOUT} while partitions are paused for
     * backpressure or a transaction drain: their resume depends on workers, not on the broker, and a
     * long poll with every partition paused would leave the queue empty for the whole timeout.
     */
    private Duration pollTimeout() {
        return pausedView.isEmpty() && !commits.draining() ? config.pollTimeout()
                : PAUSED_POLL_TIMEOUT.compareTo(config.pollTimeout()) < 0 ? PAUSED_POLL_TIMEOUT : config.pollTimeout();
    }

    private void dispatch(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> polled) {
        PartitionState ps = partitions.get(tp);
        if (ps == null || ps.failed) {
            if (ps != null) {
                consumer.seek(tp, polled.get(0).offset());
            }
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> accepted = admission.admit(ps, polled);
        if (accepted.isEmpty()) {
            return;
        }
        commits.beforeDispatch(accepted.size());
        metrics.recordsConsumed(config.groupId(), tp, accepted.size());
        Claim claim = new Claim(tp, accepted, ps.tracker, this::requestHalt);
        if (config.logContext()) {
            Mdc.partition(config.groupId(), tp);
        }
        try {
            handler.consumeClaim(session(Set.of(), Set.of(), false), claim);
        } catch (Throwable t) {
            failPartition(ps, accepted.get(0).offset(), "handler.consumeClaim threw " + t);
            LOG.error("group {}: handler failed on {}; partition failed closed", config.groupId(), tp, t);
        } finally {
            logContext(); // back to the poll thread's own, whatever the handler put
        }
    }

    private void failPartition(PartitionState ps, long offset, String reason) {
        ps.failed = true;
        ps.held.clear();
        consumer.pause(List.of(ps.tp));
        pausedView.remove(ps.tp);
        failedView.put(ps.tp, new PartitionFailure(ps.tp, offset, reason, Instant.now()));
        stalledView.remove(ps.tp);
        updateState();
    }

    /** RUNNING when every partition is healthy, DEGRADED when one failed or stalled. */
    private void updateState() {
        boolean degraded = !failedView.isEmpty() || !stalledView.isEmpty();
        if (degraded) {
            state.compareAndSet(ManagerState.RUNNING, ManagerState.DEGRADED);
        } else {
            state.compareAndSet(ManagerState.DEGRADED, ManagerState.RUNNING);
        }
    }

    private void runCommands() {
        for (Runnable command = commands.poll(); command != null; command = commands.poll()) {
            command.run();
        }
    }

    /** Called on any thread by {@link Claim#halt}; applied by the poll thread. */
    private void requestHalt(OffsetTracker tracker, TopicPartition tp, long offset, String reason) {
        commands.add(() -> {
            PartitionState ps = partitions.get(tp);
            if (ps != null && ps.tracker == tracker && !ps.failed) {
                failPartition(ps, offset, "halted at offset " + offset + ": " + reason);
                LOG.error("group {}: {} halted at offset {} (dead-letter policy 'halt'): {}",
                        config.groupId(), tp, offset, reason);
                commits.halted(ps);
            }
        });
    }

    /**
     * Refreshes the per-partition view and runs the stall watchdog, once per commit interval: a
     * partition that lags while its committed offset has not moved for the stall timeout is stalled.
     */
    private void refreshStatus() {
        long now = System.nanoTime();
        if (now - lastStatusNanos < config.commitInterval().toNanos()) {
            return;
        }
        lastStatusNanos = now;
        Map<TopicPartition, PartitionStatus> status = new HashMap<>();
        Map<TopicPartition, Long> pausedEnds = pausedLogEnds(now);
        for (PartitionState ps : partitions.values()) {
            Long pausedEnd = pausedEnds.get(ps.tp);
            long logEnd = Math.max(logEnd(ps.tp), pausedEnd == null ? -1 : pausedEnd);
            long base = ps.committedOffset >= 0 ? ps.committedOffset : ps.firstOffset;
            long lag = logEnd < 0 || base < 0 ? 0 : Math.max(0, logEnd - base);
            boolean stalled = !ps.failed && lag > 0 && now - ps.lastProgressNanos >= config.stallTimeout().toNanos();
            if (stalled && stalledView.add(ps.tp)) {
                LOG.warn("group {}: {} stalled: lag {} and committed offset {} unchanged for {}", config.groupId(),
                        ps.tp, lag, ps.committedOffset, config.stallTimeout());
            } else if (!stalled && stalledView.remove(ps.tp)) {
                LOG.info("group {}: {} recovered from a stall (committed offset {})", config.groupId(), ps.tp,
                        ps.committedOffset);
            }
            status.put(ps.tp, new PartitionStatus(ps.committedOffset, logEnd, lag, ps.tracker.outstandingRecords(),
                    ps.paused, stalled, ps.failed));
        }
        statusView = Map.copyOf(status);
        updateState();
        metrics.partitionsUpdated(config.groupId(), statusView);
    }

    /** Removes partitions this manager no longer owns from the status view at once, not at the next refresh. */
    private void dropStatus(Collection<TopicPartition> tps) {
        Map<TopicPartition, PartitionStatus> status = new HashMap<>(statusView);
        if (status.keySet().removeAll(tps)) {
            statusView = Map.copyOf(status);
        }
    }

    /**
     * The log ends of the paused partitions, asked of the broker: a paused partition is not fetched, so the last fetch's
     * log end would leave its lag and caught-up state stale while records pile up behind it. Empty when none is paused
     * or the lookup failed (then the fetch's values stand, and no lookup is tried for a while).
     */
    private Map<TopicPartition, Long> pausedLogEnds(long now) {
        List<TopicPartition> paused = new ArrayList<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.paused) {
                paused.add(ps.tp);
            }
        }
        if (paused.isEmpty() || now - nextLogEndLookupNanos < 0) {
            return Map.of();
        }
        try {
            return consumer.endOffsets(paused, LOG_END_LOOKUP_TIMEOUT);
        } catch (RuntimeException e) {
            nextLogEndLookupNanos = now + LOG_END_LOOKUP_BACKOFF.toNanos();
            LOG.debug("group {}: log ends of the paused partitions unknown for now: {}", config.groupId(), e.toString());
            return Map.of();
        }
    }

    /** The log end from the last fetch (no request), or -1. */
    private long logEnd(TopicPartition tp) {
        try {
            OptionalLong lag = consumer.currentLag(tp);
            return lag.isPresent() ? consumer.position(tp, Duration.ZERO) + lag.getAsLong() : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private void resetTracker(PartitionState ps) {
        ps.held.clear(); // the position moved: records held back from before are not next any more
        ps.tracker.close();
        ps.tracker = new OffsetTracker(ps.tp, budget, config.commitMode() == CommitMode.AT_MOST_ONCE);
    }

    private void shutdown() {
        CloseRequest req = closeRequest;
        boolean failed = state.get() == ManagerState.FAILED;
        long deadline = req != null ? req.deadlineNanos : System.nanoTime() + DEFAULT_CLOSE_TIMEOUT.toNanos();
        DrainMode mode = req != null && !failed ? req.mode : DrainMode.ABANDON;
        if (!failed) {
            state.set(ManagerState.CLOSING);
        }
        try {
            try {
                if (consumer != null && !failed) {
                    consumer.pause(consumer.assignment());
                    if (mode == DrainMode.DRAIN) {
                        drain(deadline);
                    }
                }
            } catch (Throwable t) {
                // the drain failed (the broker went away mid-close): the handler must still stop its threads, and
                // what was processed must still be committed
                recordFailure(t);
                LOG.warn("group {}: the close drain failed: {}", config.groupId(), t.toString());
            }
            callHandlerClose(deadline, mode);
            // the final commit gets at least FINAL_COMMIT_FLOOR even when the drain used up the deadline: a commit
            // given ~0 ms fails, and every record the drain finished would be delivered again
            Duration commitTime = remaining(deadline, config.commitTimeout());
            if (commitTime.compareTo(FINAL_COMMIT_FLOOR) < 0) {
                commitTime = FINAL_COMMIT_FLOOR.compareTo(config.commitTimeout()) < 0 ? FINAL_COMMIT_FLOOR : config.commitTimeout();
            }
            commits.close(commitTime, mode, failed || consumer == null);
        } catch (Throwable t) {
            recordFailure(t);
        } finally {
            shuttingDown = true;
            if (consumer != null) {
                try {
                    consumer.close(CloseOptions.timeout(remaining(deadline, Duration.ofSeconds(5))));
                } catch (Throwable t) {
                    if (!(t instanceof InterruptException)) {
                        recordFailure(t);
                    }
                }
            }
            for (PartitionState ps : partitions.values()) {
                ps.tracker.close();
            }
            partitions.clear();
            assignmentView = Set.of();
            pausedView.clear();
            stalledView.clear();
            // the last refresh was taken before the drain and the final commit: a closed manager owns nothing
            statusView = Map.of();
            metrics.partitionsUpdated(config.groupId(), statusView);
            if (!failed) {
                state.set(ManagerState.CLOSED);
            }
            LOG.info("group {}: closed ({})", config.groupId(), mode);
            terminated.countDown();
        }
    }

    private void drain(long deadline) {
        while (budget.records() > 0 && System.nanoTime() < deadline) {
            try {
                consumer.poll(remaining(deadline, config.pollTimeout()));
            } catch (NoOffsetForPartitionException | OffsetOutOfRangeException | WakeupException e) {
                LOG.debug("group {}: ignored during drain: {}", config.groupId(), e.toString());
            }
            commits.maybeCommit();
        }
        if (budget.records() > 0) {
            LOG.warn("group {}: {} records still queued at the close deadline; they will be delivered again",
                    config.groupId(), budget.records());
        }
    }

    private void callHandlerClose(long deadline, DrainMode mode) {
        try {
            handler.close(remaining(deadline, Duration.ofDays(1)), mode);
        } catch (Throwable t) {
            recordFailure(new SyncerException("group " + config.groupId() + ": handler.close failed: " + t, t));
        }
    }

    private static Duration remaining(long deadlineNanos, Duration cap) {
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        return Duration.ofNanos(Math.min(left, cap.toNanos()));
    }

    private void recordFailure(Throwable t) {
        if (!failure.compareAndSet(null, t) && failure.get() != t) {
            failure.get().addSuppressed(t);
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>(config.kafkaProperties());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, String.valueOf(config.metadataMaxAge().toMillis()));
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                String.valueOf(Math.max(1024 * 1024, Math.min(MAX_FETCH_BYTES_DEFAULT, config.maxQueuedBytes()))));
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(ConsumerGroupConfig.DEFAULT_FETCH_MAX_WAIT_MS));
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "syncer-" + config.groupId() + "-" + CLIENT_SEQUENCE.incrementAndGet());
        String protocol = String.valueOf(p.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
        if ("classic".equalsIgnoreCase(protocol)) {
            p.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        return p;
    }

    /** The heap a queued record is counted for: its serialized bytes plus the per-record bookkeeping. */
    static int sizeOf(ConsumerRecord<byte[], byte[]> r) {
        int size = ConsumerGroupConfig.QUEUED_RECORD_OVERHEAD_BYTES
                + Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
        for (Header h : r.headers()) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    private GroupSession session(Set<TopicPartition> added, Set<TopicPartition> revoked, boolean lost) {
        return new Session(config.groupId(), assignmentView, added, revoked, lost, config.revokeTimeout(), metrics,
                config.logContext(), config.maxQueuedRecords());
    }

    /** The poll thread's log context when it is on: the group alone, whatever a handler's call left. */
    private void logContext() {
        if (config.logContext()) {
            Mdc.group(config.groupId());
        }
    }

    /** Rebalance callbacks; run on the poll thread inside {@code poll} (and {@code close}). */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            for (TopicPartition tp : assigned) {
                partitions.put(tp, new PartitionState(tp,
                        new OffsetTracker(tp, budget, config.commitMode() == CommitMode.AT_MOST_ONCE)));
            }
            assignmentView = Set.copyOf(partitions.keySet());
            commits.assigned(assigned);
            if (!assigned.isEmpty()) {
                LOG.info("group {}: assigned {}", config.groupId(), assigned);
                try {
                    handler.setup(session(Set.copyOf(assigned), Set.of(), false));
                } catch (Throwable t) {
                    LOG.error("group {}: handler.setup failed", config.groupId(), t);
                } finally {
                    logContext();
                }
            }
            state.compareAndSet(ManagerState.STARTING, ManagerState.RUNNING);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            remove(revoked, false);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            remove(lost, true);
        }

        private void remove(Collection<TopicPartition> tps, boolean lost) {
            if (tps.isEmpty()) {
                return;
            }
            if (!shuttingDown) {
                LOG.info("group {}: {} {}", config.groupId(), lost ? "lost" : "revoked", tps);
                if (lost) {
                    commits.lost(tps);
                } else {
                    commits.revoking(tps);
                }
                ctx.cleanup(tps, lost, "at the " + (lost ? "loss" : "revoke") + " of " + tps);
                if (!lost) {
                    commits.revoked(tps);
                }
            }
            for (TopicPartition tp : tps) {
                PartitionState ps = partitions.remove(tp);
                if (ps != null) {
                    ps.tracker.close();
                }
                pausedView.remove(tp);
                failedView.remove(tp);
                stalledView.remove(tp);
            }
            assignmentView = Set.copyOf(partitions.keySet());
            dropStatus(tps);
            updateState();
            metrics.partitionsRevoked(config.groupId(), tps);
        }
    }

    /** Receives {@link Claim#halt} requests. */
    @FunctionalInterface
    private interface HaltSink {
        void halt(OffsetTracker tracker, TopicPartition tp, long offset, String reason);
    }

    /** A claim bound to the tracker of the assignment it came from. */
    private static final class Claim implements PartitionClaim {
        private final TopicPartition tp;
        private final List<ConsumerRecord<byte[], byte[]>> records;
        private final OffsetTracker tracker;
        private final HaltSink haltSink;

        Claim(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, OffsetTracker tracker, HaltSink haltSink) {
            this.tp = tp;
            this.records = java.util.Collections.unmodifiableList(records);
            this.tracker = tracker;
            this.haltSink = haltSink;
        }

        @Override
        public TopicPartition topicPartition() {
            return tp;
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        @Override
        public boolean markProcessed(ConsumerRecord<byte[], byte[]> record) {
            check(record);
            return tracker.completeOffset(record.offset());
        }

        @Override
        public void halt(ConsumerRecord<byte[], byte[]> record, String reason) {
            check(record);
            tracker.halt(record.offset());
            haltSink.halt(tracker, tp, record.offset(), reason);
        }

        @Override
        public void giveBack(ConsumerRecord<byte[], byte[]> record) {
            check(record);
            tracker.halt(record.offset()); // the commit stops there and the drain's budget is released; not failed
        }

        @Override
        public boolean isStopped() {
            return tracker.isStopped();
        }

        @Override
        public boolean isStopped(ConsumerRecord<byte[], byte[]> record) {
            return tracker.isStopped(record.offset());
        }

        private void check(ConsumerRecord<byte[], byte[]> record) {
            if (record.partition() != tp.partition() || !record.topic().equals(tp.topic())) {
                throw new IllegalArgumentException("record " + record.topic() + "-" + record.partition()
                        + "@" + record.offset() + " is not of claim " + tp);
            }
        }
    }

    /** The manager's side of {@link PollContext}: what its poll-thread parts share. */
    private final class Context implements PollContext {
        @Override
        public ConsumerGroupConfig config() {
            return config;
        }

        @Override
        public Consumer<byte[], byte[]> consumer() {
            return consumer;
        }

        @Override
        public Map<TopicPartition, PartitionState> partitions() {
            return partitions;
        }

        @Override
        public QueueBudget budget() {
            return budget;
        }

        @Override
        public SyncerMetrics metrics() {
            return metrics;
        }

        @Override
        public void cleanup(Collection<TopicPartition> tps, boolean lost, String why) {
            try {
                handler.cleanup(session(Set.of(), Set.copyOf(tps), lost));
            } catch (Throwable t) {
                LOG.error("group {}: handler.cleanup {} failed", config.groupId(), why, t);
            } finally {
                logContext();
            }
        }

        @Override
        public void resetTracker(PartitionState ps) {
            DefaultConsumerGroupManager.this.resetTracker(ps);
        }

        @Override
        public void failPartition(PartitionState ps, long offset, String reason) {
            DefaultConsumerGroupManager.this.failPartition(ps, offset, reason);
        }

        @Override
        public void seekInitial(Collection<TopicPartition> tps) {
            resets.seekInitial(tps);
        }
    }

    private record Session(String groupId, Set<TopicPartition> assignment, Set<TopicPartition> addedPartitions,
                           Set<TopicPartition> revokedPartitions, boolean partitionsLost, Duration revokeTimeout,
                           SyncerMetrics metrics, boolean logContext, int maxQueuedRecords)
            implements GroupSession {
    }

    private record CloseRequest(long deadlineNanos, DrainMode mode) {
    }
}
