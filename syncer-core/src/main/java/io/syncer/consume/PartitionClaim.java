package io.syncer.consume;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition's batch of records from one poll, handed to {@link ConsumerGroupHandler#consumeClaim}.
 *
 * <p>{@link #markProcessed} may be called later, from any thread, once per record; the claim stays
 * bound to the assignment it came from, so a late call after the partition was revoked is ignored
 * and can never move the offsets of a later assignment.
 */
public interface PartitionClaim {
    /**
     * The partition.
     *
     * @return the topic and partition
     */
    TopicPartition topicPartition();

    /**
     * The records, in offset order.
     *
     * @return an immutable list, never empty
     */
    List<ConsumerRecord<byte[], byte[]>> records();

    /**
     * Marks a record of this claim processed: it no longer counts as queued, and the committed
     * offset may move past it once every earlier record is processed too. Thread-safe; idempotent.
     *
     * @param record a record of this claim
     * @return {@code true} if this call marked it; {@code false} if it was already marked or the
     *     partition has since been revoked
     */
    boolean markProcessed(ConsumerRecord<byte[], byte[]> record);

    /**
     * Stops this partition at {@code record}, for a record that must not be skipped and cannot be
     * processed ({@link io.syncer.failure.DeadLetterPolicy#halt()}): the partition is paused and
     * reported failed in {@link ConsumerGroupManager#health()}, nothing at or past the record is
     * committed, and work on its later records stops ({@link #isStopped(ConsumerRecord)}). Records
     * before it are still to be processed (or dead-lettered, or halted at): the committed offset
     * reaches the halt offset once they are. Thread-safe; the pause takes effect on the poll thread's next turn.
     *
     * @param record a record of this claim
     * @param reason why, for the health report and logs
     */
    void halt(ConsumerRecord<byte[], byte[]> record, String reason);

    /**
     * Gives {@code record} back unprocessed because the pipeline is closing (a sink in an outage could not write
     * it): nothing at or past it is committed, work on the claim's later records stops, and a draining close no
     * longer waits for them; the partition's next owner gets them again. Unlike {@link #halt} the partition is not
     * failed. Records before it may still complete. Thread-safe.
     *
     * @param record a record of this claim
     */
    void giveBack(ConsumerRecord<byte[], byte[]> record);

    /**
     * Whether this claim's records should no longer be processed: the partition was revoked or
     * lost since the claim was handed out, or halted.
     *
     * @return {@code true} once stopped
     */
    boolean isStopped();

    /**
     * Whether {@code record} should no longer be processed: the partition was revoked or lost since
     * the claim was handed out, or halted at or before the record. A record before a halt is not
     * stopped: it must still be processed, or the committed offset never reaches the halt.
     *
     * @param record a record of this claim
     * @return {@code true} if work on it should stop
     */
    default boolean isStopped(ConsumerRecord<byte[], byte[]> record) {
        return isStopped();
    }

    /**
     * Whether a failed record may wait {@code backoff} here for its next attempt. Always in a consumer
     * group; in a share group only while the record's acquisition lock leaves room for it.
     *
     * @param record a record of this claim
     * @param backoff the wait before the next attempt
     * @return {@code true} to retry here
     */
    default boolean canRetryInPlace(ConsumerRecord<byte[], byte[]> record, java.time.Duration backoff) {
        return true;
    }

    /**
     * Whether a record that cannot be retried here may be given back for the broker to deliver again
     * ({@link #giveBack}): never in a consumer group (there is no redelivery); in a share group unless the
     * record is on its last delivery, which must be dead-lettered instead.
     *
     * @param record a record of this claim
     * @return {@code true} when a redelivery is possible
     */
    default boolean canRedeliver(ConsumerRecord<byte[], byte[]> record) {
        return false;
    }
}
