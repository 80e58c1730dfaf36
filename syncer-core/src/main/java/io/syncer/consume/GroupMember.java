package io.syncer.consume;

import java.time.Duration;

/**
 * A member of a Kafka group feeding a handler: a {@link ConsumerGroupManager} (a consumer group, partitions
 * owned) or a {@link io.syncer.share.ShareGroupManager} (a share group, records acquired one by one). A
 * {@link io.syncer.Syncer} pipeline runs on either.
 */
public interface GroupMember extends AutoCloseable {
    /** Default close deadline of {@link #close()}: 30 s. */
    Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Starts consuming. Returns at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    void start();

    /**
     * A point-in-time view, cheap to take from any thread.
     *
     * @return the view
     */
    GroupHealth health();

    /**
     * Closes within {@code timeout}, finishing or abandoning the work in hand according to {@code mode}.
     * Idempotent.
     *
     * @param timeout the whole close deadline
     * @param mode whether to finish queued work
     * @throws io.syncer.SyncerException if the member had failed or the close did not complete
     */
    void close(Duration timeout, DrainMode mode);

    /**
     * Closes with {@link DrainMode#DRAIN} within {@code timeout}.
     *
     * @param timeout the whole close deadline
     */
    default void close(Duration timeout) {
        close(timeout, DrainMode.DRAIN);
    }

    /** Closes with {@link DrainMode#DRAIN} within {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    default void close() {
        close(DEFAULT_CLOSE_TIMEOUT, DrainMode.DRAIN);
    }
}
