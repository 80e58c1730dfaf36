package io.syncer.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import io.syncer.sink.SinkResult;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** How a send's failure becomes a record's result. */
class KafkaSinkTest {
    /**
     * Issue 13: a send that timed out (the batch expired after delivery.timeout.ms, 120 s: the target cluster did not
     * answer) was a per-record retry, so a target cluster down for longer than the retry budget (5 minutes)
     * dead-lettered good records. It is the topic's outage: held and probed, no retries spent.
     */
    @Test
    void aSendThatTimedOutHoldsTheTopicInsteadOfSpendingTheRecordsRetries() {
        SinkResult r = KafkaSink.classify(new RetriableSyncerException("send to logs failed",
                new TimeoutException("Expiring 12 record(s) for logs-0: 120000 ms has passed since batch creation")), "logs", false);
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, r.status());
        assertTrue(r.error().getMessage().contains("logs"), r.error().getMessage());
    }

    @Test
    void inATransactionATimeoutStaysARetryAndOtherFailuresKeepTheirClass() {
        // the transaction aborts and rewinds as a whole; holding its records past the abort would serve no one
        assertEquals(SinkResult.Status.RETRY, KafkaSink.classify(new RetriableSyncerException("send to logs failed",
                new TimeoutException("expired")), "logs", true).status());
        assertEquals(SinkResult.Status.RETRY, KafkaSink.classify(new RetriableSyncerException("send to logs failed",
                new NotLeaderOrFollowerException("moved")), "logs", false).status());
        assertEquals(SinkResult.Status.FAIL, KafkaSink.classify(new SyncerException("send to logs failed",
                new RecordTooLargeException("too large")), "logs", false).status());
    }
}
