package io.syncer.share;

import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.GroupMember;
import io.syncer.internal.share.DefaultShareGroupManager;
import io.syncer.metrics.SyncerMetrics;
import java.time.Duration;
import java.util.Objects;

/**
 * One member of a Kafka share group (KIP-932, Kafka 4.2+) feeding a handler, normally a
 * {@link io.syncer.queue.QueueWorker}: the same workers, retries and dead letters as in consumer-group
 * mode, on a real work queue. Records of one partition go to many consumers at once, so the order is
 * {@link io.syncer.queue.OrderingMode#UNORDERED}; a worker configured for KEY or PARTITION order is
 * rejected.
 *
 * <p>Each record is acknowledged from its outcome, on the thread that owns its share consumer:
 * processed, or dead-lettered and the dead letter acknowledged, is ACCEPT; a retriable failure is retried
 * in process while its acquisition lock leaves room for the backoff, and else RELEASEd (the broker
 * redelivers it, counting a delivery); a record on its last delivery ({@link ShareGroupConfig#deliveryCountLimit()})
 * is dead-lettered rather than released, since the broker would archive it and, before Kafka 4.4, an
 * archived record is gone. Nothing is REJECTed: every record that cannot be processed goes to the
 * dead-letter topic (with {@code syncer.dlt.delivery.count}), so a dead-letter topic policy is required.
 * A member that dies holds nothing: its locks expire and the records go to the others.
 *
 * <p>Thread-safe.
 */
public interface ShareGroupManager extends GroupMember {
    /**
     * Creates a manager (nothing starts yet).
     *
     * @param config the share group
     * @param handler receives each poll's records per partition (a {@link io.syncer.queue.QueueWorker})
     * @param metrics where counts go
     * @return the manager
     * @throws IllegalArgumentException when the handler is a queue worker with KEY or PARTITION order, or
     *     without a dead-letter topic
     */
    static ShareGroupManager create(ShareGroupConfig config, ConsumerGroupHandler handler, SyncerMetrics metrics) {
        return new DefaultShareGroupManager(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(handler, "handler"), Objects.requireNonNull(metrics, "metrics"));
    }

    /** Sets the group's initial position through Admin and starts the share consumers. */
    @Override
    void start();

    /**
     * The member's health: state, queued records, the failure that stopped it; share groups have no
     * assigned, paused or lagging partitions.
     *
     * @return the view
     */
    @Override
    GroupHealth health();

    /**
     * Acknowledgement counts since start.
     *
     * @return the counts
     */
    ShareGroupStats stats();

    /** @return the configuration */
    ShareGroupConfig config();

    /**
     * Closes within {@code timeout}: stops acquiring, lets records in work finish ({@link DrainMode#DRAIN}) and
     * acknowledges them, releases the rest, and closes the share consumers. Idempotent.
     *
     * @param timeout the whole deadline
     * @param mode whether records in work are finished first
     * @throws io.syncer.SyncerException if the member had failed (after closing all the same)
     */
    @Override
    void close(Duration timeout, DrainMode mode);
}
