package io.syncer.internal.share;

import io.syncer.consume.PartitionClaim;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition's records of a share-consumer poll, as the handler sees them: processed means ACCEPT, given
 * back means RELEASE; a halt (a configuration error) RELEASEs too and is reported, since a share group has no
 * partition to stop.
 */
final class ShareClaim implements PartitionClaim {
    private final ShareBatch batch;
    private final TopicPartition tp;
    private final List<ConsumerRecord<byte[], byte[]>> records;
    private final DefaultShareGroupManager manager;

    ShareClaim(ShareBatch batch, TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records,
               DefaultShareGroupManager manager) {
        this.batch = batch;
        this.tp = tp;
        this.records = records;
        this.manager = manager;
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
        return batch.settle(record, AcknowledgeType.ACCEPT);
    }

    @Override
    public void halt(ConsumerRecord<byte[], byte[]> record, String reason) {
        if (batch.settle(record, AcknowledgeType.RELEASE)) {
            manager.halted(record, reason);
        }
    }

    @Override
    public void giveBack(ConsumerRecord<byte[], byte[]> record) {
        batch.settle(record, AcknowledgeType.RELEASE);
    }

    @Override
    public boolean isStopped() {
        return manager.isAbandoning();
    }

    @Override
    public boolean isStopped(ConsumerRecord<byte[], byte[]> record) {
        return batch.isReleased(record) || manager.isAbandoning();
    }

    @Override
    public boolean canRetryInPlace(ConsumerRecord<byte[], byte[]> record, Duration backoff) {
        return batch.roomFor(backoff.toNanos());
    }

    @Override
    public boolean canRedeliver(ConsumerRecord<byte[], byte[]> record) {
        return batch.canRedeliver(record);
    }
}
