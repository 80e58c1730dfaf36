package io.syncer.consume;

import io.syncer.internal.consume.DefaultConsumerGroupManager;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.TransactionalKafkaProducers;
import java.time.Duration;
import java.util.Objects;

/**
 * Runs one consumer group member over a list of topics or a pattern and hands its records to a
 * {@link ConsumerGroupHandler} — by default a {@link io.syncer.queue.QueueWorker}.
 *
 * <p>What it guarantees, and what the sarama service it replaces did not:
 * <ul>
 *   <li>Partitions added at runtime and topics created later that match the pattern are consumed
 *       within about {@link ConsumerGroupConfig#metadataMaxAge()} plus a rebalance, from their
 *       first record ({@link io.syncer.commit.InitialPosition#EARLIEST}).</li>
 *   <li>Every partition of every subscribed topic is consumed; the assignor is cooperative-sticky
 *       (or the broker's, with {@code group.protocol=consumer}).</li>
 *   <li>An out-of-range committed offset never rewinds the group silently: by default the
 *       partition fails closed and is reported in {@link #health()}.</li>
 *   <li>Per partition, only the contiguous prefix of records the handler marked processed is
 *       committed: periodically (asynchronously), and synchronously on revoke and on close.</li>
 *   <li>When more than {@link ConsumerGroupConfig#pauseAbove()} of the queue bound is used, the
 *       partitions holding more than their share are paused (others keep flowing) and resume
 *       below {@link ConsumerGroupConfig#resumeBelow()}; the consumer keeps polling, so the member
 *       stays in the group however slow the workers are.</li>
 * </ul>
 *
 * <p><b>Threading.</b> The {@code KafkaConsumer} lives on one thread, {@code syncer-poll-<group>},
 * started by {@link #start()}. All methods of this interface are thread-safe. The manager owns the
 * handler's lifecycle: it calls {@link ConsumerGroupHandler#close} when it closes.
 */
public interface ConsumerGroupManager extends GroupMember {
    /**
     * Creates a manager (not yet started).
     *
     * @param config the configuration
     * @param handler receives the records; a {@link io.syncer.queue.QueueWorker} in most pipelines
     * @return the manager
     */
    static ConsumerGroupManager create(ConsumerGroupConfig config, ConsumerGroupHandler handler) {
        return create(config, handler, SyncerMetrics.NOOP);
    }

    /**
     * Creates a manager (not yet started) that reports to {@code metrics}.
     *
     * @param config the configuration
     * @param handler receives the records
     * @param metrics receives counts, commit latencies and per-partition status (e.g. the
     *     {@code syncer-micrometer} binding); also handed to the handler through {@link GroupSession#metrics()}
     * @return the manager
     */
    static ConsumerGroupManager create(ConsumerGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics) {
        return new DefaultConsumerGroupManager(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(handler, "handler"), Objects.requireNonNull(metrics, "metrics"));
    }

    /**
     * Creates a manager (not yet started) that commits offsets exactly once, through
     * {@code transactions}: every commit interval it pauses fetching, lets the queue drain, and
     * commits the records sent through {@code transactions} together with the consumed offsets.
     * A drain that exceeds {@link ConsumerGroupConfig#commitTimeout()} aborts the transaction and
     * rewinds to the committed offsets. Send every output record through {@code transactions} (the
     * Kafka sink does when given it); dead-letter writes stay at least once. The manager does not
     * close {@code transactions}.
     *
     * @param config the configuration; read_committed isolation is advisable for transactional input
     * @param handler receives the records
     * @param metrics receives counts and latencies
     * @param transactions the transactional producer the outputs go through
     * @return the manager
     */
    static ConsumerGroupManager createExactlyOnce(ConsumerGroupConfig config, ConsumerGroupHandler handler,
                                                  SyncerMetrics metrics, TransactionalKafkaProducers transactions) {
        return new DefaultConsumerGroupManager(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(handler, "handler"), Objects.requireNonNull(metrics, "metrics"),
                Objects.requireNonNull(transactions, "transactions"));
    }

    /**
     * Starts the poll thread: subscribe, join the group, consume. Returns at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    @Override
    void start();

    /**
     * A point-in-time view: state, assignment, paused and failed partitions, queue depth.
     *
     * @return the view
     */
    @Override
    GroupHealth health();

    /**
     * The configuration.
     *
     * @return the configuration
     */
    ConsumerGroupConfig config();

    /**
     * Closes within {@code timeout}: stop fetching, then according to {@code mode} finish or abandon
     * queued work, commit the processed prefix synchronously, close the handler and the consumer.
     * Idempotent: a second call waits for the first to finish (up to its own timeout). The first
     * error met is thrown, later ones added as suppressed. If the calling thread is interrupted
     * while waiting, the close continues in the background and the interrupt flag is restored.
     *
     * @param timeout the whole close deadline
     * @param mode whether to finish queued work
     * @throws io.syncer.SyncerException if the poll thread failed or the close did not complete
     */
    @Override
    void close(Duration timeout, DrainMode mode);


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

    /**
     * Waits until the manager has joined its group (partitions assigned, or none to assign), so an
     * application can fail its own start-up on a wrong address instead of running without
     * consuming. Returns at once if it already has.
     *
     * @param timeout how long to wait
     * @throws io.syncer.SyncerException when the manager failed, or did not join within
     *     {@code timeout} (with {@link GroupHealth#startupProblem()} as the reason when known)
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    default void awaitRunning(Duration timeout) throws InterruptedException {
        io.syncer.internal.consume.AwaitJoined.await(this::health, "group " + config().groupId(), timeout);
    }

    /**
     * Registers a JVM shutdown hook that closes this manager with {@link DrainMode#DRAIN} within
     * {@code timeout}; for applications whose {@code main} only starts pipelines.
     *
     * @param timeout the close deadline used by the hook
     * @return this manager
     */
    default ConsumerGroupManager closeOnShutdown(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(timeout), "syncer-shutdown-" + config().groupId()));
        return this;
    }
}
