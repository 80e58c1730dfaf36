package io.syncer.consume;

import java.time.Instant;
import org.apache.kafka.common.TopicPartition;

/**
 * Why a partition was failed closed: it is paused and nothing past {@code offset} is committed.
 *
 * @param partition the partition
 * @param offset the position at which it stopped (the out-of-range offset, or the first record
 *     not processed)
 * @param reason a human-readable explanation
 * @param since when it failed
 */
public record PartitionFailure(TopicPartition partition, long offset, String reason, Instant since) {
}
