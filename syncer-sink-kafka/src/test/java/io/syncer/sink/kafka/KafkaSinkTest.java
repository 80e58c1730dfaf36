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

    /**
     * Issue 13: with the whole target cluster gone the producer loses its metadata (it rebootstraps), so a send
     * times out in send() after max.block.ms, not as an expired batch; the reliability suite's target outage showed
     * those sends retried record by record. They are the topic's outage too.
     */
    @Test
    void aSendThatCouldNotGetMetadataFromAGoneClusterHoldsTheTopic() throws Exception {
        try (io.syncer.produce.KafkaProducers producers = io.syncer.produce.KafkaProducers.create(
                io.syncer.produce.KafkaProducersConfig.builder().bootstrapServers("127.0.0.1:1")
                        .kafkaProperty("max.block.ms", 500).build())) {
            Throwable error = producers.sendAsync(new org.apache.kafka.clients.producer.ProducerRecord<>("logs",
                    new byte[] {1})).handle((m, e) -> e).get();
            SinkResult r = KafkaSink.classify(error, "logs", KafkaSink.transactional(producers));
            // the sink took every producer for a transactional one (the implementation serves both), so a timeout
            // was always a retry: the reliability suite's target outage retried record by record
            assertEquals(false, KafkaSink.transactional(producers), "a plain producer is not transactional");
            assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, r.status(), String.valueOf(error));
        }
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
