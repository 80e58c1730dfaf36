package io.syncer.internal.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** A poll's records settle once each, whatever comes first: the worker's outcome or the release at the lock deadline. */
class ShareBatchTest {
    private final LinkedBlockingQueue<ShareBatch.Outcome> outcomes = new LinkedBlockingQueue<>();

    private static ConsumerRecord<byte[], byte[]> record(long offset, short deliveryCount) {
        return new ConsumerRecord<>("t", 0, offset, 0L, TimestampType.CREATE_TIME, 0, 1, null, new byte[] {1},
                new RecordHeaders(), Optional.empty(), Optional.of(deliveryCount));
    }

    private ShareBatch batch(List<ConsumerRecord<byte[], byte[]>> records, long deadlineFromNowMs) {
        return new ShareBatch(records, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineFromNowMs), 5, false, outcomes);
    }

    @Test
    void aRecordSettlesOnceAndTheFirstOutcomeWins() {
        ConsumerRecord<byte[], byte[]> a = record(0, (short) 1);
        ConsumerRecord<byte[], byte[]> b = record(1, (short) 1);
        ShareBatch batch = batch(List.of(a, b), 10_000);
        assertTrue(batch.settle(a, AcknowledgeType.ACCEPT));
        assertFalse(batch.settle(a, AcknowledgeType.RELEASE), "a second outcome for the same record is ignored");
        assertEquals(1, batch.releaseAll(false), "only the unsettled record is released");
        assertTrue(batch.isReleased(b));
        assertFalse(batch.isReleased(a));
        assertFalse(batch.settle(b, AcknowledgeType.ACCEPT), "a late outcome after the release does not count");
        assertTrue(batch.isDone());
        assertEquals(List.of(AcknowledgeType.ACCEPT, AcknowledgeType.RELEASE),
                outcomes.stream().map(ShareBatch.Outcome::type).toList(), "one acknowledgement per record");
    }

    @Test
    void aRetryRunsInProcessOnlyWhileTheLockLeavesRoomForItsBackoff() {
        ShareBatch batch = batch(List.of(record(0, (short) 1)), 2_000);
        assertTrue(batch.roomFor(TimeUnit.MILLISECONDS.toNanos(100)));
        assertFalse(batch.roomFor(TimeUnit.SECONDS.toNanos(3)));
    }

    @Test
    void whenLocksAreRenewedAnyBackoffFitsAndAddedRecordsMustBeAcknowledgedToo() {
        ConsumerRecord<byte[], byte[]> a = record(0, (short) 1);
        ShareBatch batch = new ShareBatch(List.of(a), System.nanoTime(), 5, true, outcomes);
        assertTrue(batch.roomFor(TimeUnit.MINUTES.toNanos(10)), "the lock is renewed while the record waits");
        batch.add(List.of(record(1, (short) 1)));
        assertEquals(2, batch.size());
        assertEquals(2, batch.inWork().size());
    }

    @Test
    void atTheLockDeadlineARecordOnItsLastDeliveryIsKeptNotReleasedIntoTheArchive() {
        ConsumerRecord<byte[], byte[]> early = record(0, (short) 2);
        ConsumerRecord<byte[], byte[]> last = record(1, (short) 5);
        ShareBatch batch = batch(List.of(early, last), 0);
        assertEquals(1, batch.releaseAll(true));
        assertTrue(batch.isReleased(early));
        assertFalse(batch.isReleased(last), "kept: it may still be accepted before its lock runs out");
        assertTrue(batch.settle(last, AcknowledgeType.ACCEPT));
    }

    @Test
    void theLastDeliveryIsNeverRedelivered() {
        ShareBatch batch = batch(List.of(), 10_000);
        assertTrue(batch.canRedeliver(record(0, (short) 1)));
        assertTrue(batch.canRedeliver(record(0, (short) 4)));
        assertFalse(batch.canRedeliver(record(0, (short) 5)), "delivery 5 of 5: releasing it would let the broker archive it");
    }
}
