package io.syncer;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.internal.sink.DefaultSyncer;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.sink.Router;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkStats;
import io.syncer.sink.UnroutedPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole pipeline: a consumer group over topics or a pattern, a decoder, a {@link Router} that fans
 * each record out to one or more {@link Sink}s, and the retry and dead-letter policies, composed in
 * code:
 *
 * <pre>{@code
 * Syncer syncer = Syncer.builder(RecordDecoder.json(AccessLog.class))
 *         .consumer(consumerConfig)
 *         .worker(QueueWorkerConfig.builder().workers(8).deadLetterPolicy(dlt).build())
 *         .sink(aiSink).sink(botSink)
 *         .router((log, record) -> log.bot ? List.of(Route.to("ai"), Route.to("bot")) : List.of(Route.to("ai")))
 *         .build();
 * syncer.start();
 * }</pre>
 *
 * <p>A record is complete, and its offset committable, only when every sink it was routed to
 * accepted it or it was dead-lettered; the worst outcome of its sinks wins. A retried record is
 * written again only to the sinks that have not accepted it yet.
 *
 * <p>Thread-safe. {@link #close} closes the consumer group, then the sinks.
 */
public interface Syncer extends AutoCloseable {
    /** Default close deadline of {@link #close()}: 30 s. */
    Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A builder for a pipeline whose records are decoded by {@code decoder}.
     *
     * @param decoder turns each record into the item (called on worker threads)
     * @param <T> the item type
     * @return the builder
     */
    static <T> Builder<T> builder(RecordDecoder<T> decoder) {
        return new Builder<>(decoder);
    }

    /** Starts consuming. */
    void start();

    /**
     * The consumer group's health.
     *
     * @return the view
     */
    GroupHealth health();

    /**
     * What each sink wrote, retried and failed since the pipeline was built, and what it holds now,
     * in the order the sinks were added.
     *
     * @return the statistics by sink name
     */
    Map<String, SinkStats> sinkStats();

    /**
     * Closes within {@code timeout}: the consumer group (with {@code mode}), then every sink.
     * Idempotent: a second call returns at once.
     *
     * @param timeout the whole deadline
     * @param mode whether queued records are finished first
     * @throws SyncerException when the consumer group had failed (its poll thread stopped on an
     *     error, see {@link GroupHealth#failure()}) or a sink failed to close; every sink is closed
     *     all the same, and later failures are suppressed into the first
     */
    void close(Duration timeout, DrainMode mode);

    /**
     * Closes with {@link DrainMode#DRAIN} within {@code timeout}.
     *
     * @param timeout the whole deadline
     */
    default void close(Duration timeout) {
        close(timeout, DrainMode.DRAIN);
    }

    /**
     * Registers a JVM shutdown hook (thread {@code syncer-shutdown-<n>}) that closes this pipeline
     * with {@link DrainMode#DRAIN} within {@code timeout}, so a SIGTERM drains and commits what was
     * processed. The hook is not removed by an earlier explicit {@link #close}; closing twice is
     * harmless.
     *
     * @param timeout the close deadline, e.g. below the orchestrator's kill grace period
     * @return this pipeline
     */
    default Syncer closeOnShutdown(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(timeout), "syncer-shutdown-"
                + Integer.toHexString(System.identityHashCode(this))));
        return this;
    }

    /**
     * Waits until the pipeline's consumer has joined its group, so an application can fail its own
     * start-up on a wrong address instead of running without consuming:
     * {@code syncer.start(); syncer.awaitRunning(Duration.ofSeconds(60));}.
     *
     * @param timeout how long to wait
     * @throws io.syncer.SyncerException when the pipeline failed, or did not join within
     *     {@code timeout} (with {@link GroupHealth#startupProblem()} as the reason when known)
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    default void awaitRunning(Duration timeout) throws InterruptedException {
        io.syncer.internal.consume.AwaitJoined.await(this::health, "the pipeline", timeout);
    }

    /**
     * Waits until {@link GroupHealth#isCaughtUp()}: every record up to the log ends is processed
     * and committed (e.g. for a batch job that drains a topic, or a test). Polls
     * {@link #health()} every 100 ms on the calling thread.
     *
     * @param timeout how long to wait at most
     * @return {@code true} when caught up, {@code false} when the timeout passed first
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    default boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!health().isCaughtUp()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** Closes with {@link DrainMode#DRAIN} within {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    default void close() {
        close(DEFAULT_CLOSE_TIMEOUT, DrainMode.DRAIN);
    }

    /**
     * Validating builder; not thread-safe.
     *
     * @param <T> the item type
     */
    final class Builder<T> {
        private final RecordDecoder<T> decoder;
        private ConsumerGroupConfig consumer;
        private io.syncer.share.ShareGroupConfig share;
        private QueueWorkerConfig worker = QueueWorkerConfig.ofDefaults();
        private final List<Sink<T>> sinks = new ArrayList<>();
        private Router<T> router;
        private UnroutedPolicy unrouted = UnroutedPolicy.DEAD_LETTER;
        private SyncerMetrics metrics = SyncerMetrics.NOOP;
        private TransactionalKafkaProducers transactions;

        private Builder(RecordDecoder<T> decoder) {
            this.decoder = Objects.requireNonNull(decoder, "decoder");
        }

        /**
         * The consumer group. Required, unless the pipeline runs on a share group ({@link #shareGroup}).
         *
         * @param config the group, topics and offset settings
         * @return this builder
         */
        public Builder<T> consumer(ConsumerGroupConfig config) {
            this.consumer = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Runs the pipeline on a Kafka share group instead of a consumer group (Kafka 4.2+): records are
         * acknowledged one by one from their outcome, many members share a partition, and there is no order
         * (the worker must be {@link io.syncer.queue.OrderingMode#UNORDERED}, with a dead-letter topic). See
         * {@link io.syncer.share.ShareGroupManager}. Exclusive with {@link #consumer} and
         * {@link #exactlyOnce} (a share group has no transactions); sinks see no partition assignments, so a
         * sink that keeps per-partition state (the ClickHouse insert log) does not fit.
         *
         * @param config the share group
         * @return this builder
         */
        public Builder<T> shareGroup(io.syncer.share.ShareGroupConfig config) {
            this.share = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Workers, ordering, retries and dead letters. Default {@link QueueWorkerConfig#ofDefaults()}.
         *
         * <p>In a pipeline, {@link QueueWorkerConfig#maxInFlight()} is raised to the consumer's
         * {@link ConsumerGroupConfig#maxQueuedRecords()} when it is lower: a record in flight only
         * waits in a sink's batch, and fewer in flight than a batch holds would make every batch wait
         * out its linger. How many writes each sink runs at once is its
         * {@link io.syncer.sink.BatchPolicy#maxInFlight()}.
         *
         * @param config the queue worker configuration
         * @return this builder
         */
        public Builder<T> worker(QueueWorkerConfig config) {
            this.worker = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adds a sink. At least one is required; names must be unique. The pipeline closes it.
         *
         * @param sink the sink
         * @return this builder
         */
        public Builder<T> sink(Sink<T> sink) {
            Objects.requireNonNull(sink, "sink");
            for (Sink<T> s : sinks) {
                if (s.name().equals(sink.name())) {
                    throw new IllegalArgumentException("two sinks named '" + sink.name() + "'");
                }
            }
            sinks.add(sink);
            return this;
        }

        /**
         * Decides where each record goes. Default: every sink, at its default destination.
         *
         * @param router the router
         * @return this builder
         */
        public Builder<T> router(Router<T> router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        /**
         * What happens to a record with no route. Default {@link UnroutedPolicy#DEAD_LETTER}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder<T> unrouted(UnroutedPolicy policy) {
            this.unrouted = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Where counts, latencies and per-partition status go. Default {@link SyncerMetrics#NOOP}.
         *
         * @param metrics the metrics sink
         * @return this builder
         */
        public Builder<T> metrics(SyncerMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Exactly once for Kafka→Kafka: offsets are committed in {@code transactions}' transactions
         * together with the records the Kafka sinks sent through it (give the sinks the same
         * producer). See {@link io.syncer.consume.ConsumerGroupManager#createExactlyOnce}. The
         * producer is not closed by the pipeline.
         *
         * @param transactions the transactional producer
         * @return this builder
         */
        public Builder<T> exactlyOnce(TransactionalKafkaProducers transactions) {
            this.transactions = Objects.requireNonNull(transactions, "transactions");
            return this;
        }

        /**
         * Validates and builds (nothing starts yet).
         *
         * @return the pipeline
         * @throws IllegalArgumentException without a consumer configuration or a sink
         */
        public Syncer build() {
            if (consumer == null && share == null) {
                throw new IllegalArgumentException("consumer(ConsumerGroupConfig) or shareGroup(ShareGroupConfig) is required");
            }
            if (consumer != null && share != null) {
                throw new IllegalArgumentException("consumer(...) and shareGroup(...) are exclusive: a pipeline runs on one group");
            }
            if (share != null && transactions != null) {
                throw new IllegalArgumentException("exactlyOnce(...) needs a consumer group: a share group has no transactions");
            }
            if (sinks.isEmpty()) {
                throw new IllegalArgumentException("at least one sink(...) is required");
            }
            Router<T> r = router;
            if (r == null) {
                List<Route> all = new ArrayList<>();
                for (Sink<T> s : sinks) {
                    all.add(Route.to(s.name()));
                }
                List<Route> everySink = List.copyOf(all);
                r = (item, record) -> everySink;
            }
            return new DefaultSyncer<>(consumer, share, worker, decoder, List.copyOf(sinks), r, unrouted, metrics, transactions);
        }
    }
}
