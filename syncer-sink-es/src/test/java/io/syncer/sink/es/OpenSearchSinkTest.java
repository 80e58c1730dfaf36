package io.syncer.sink.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.sink.SinkResult;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.ErrorResponse;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.core.bulk.OperationType;

/** How bulk outcomes map to results: which are written, which retried, which dead-lettered. */
class OpenSearchSinkTest {
    private static BulkResponseItem item(int status, String type, String reason) {
        return BulkResponseItem.of(b -> {
            b.operationType(OperationType.Index).index("logs-a").id("t-0-7").status(status);
            if (type != null) {
                b.error(e -> e.type(type).reason(reason));
            }
            return b;
        });
    }

    @Test
    void createdAndUpdatedItemsAreWritten() {
        assertEquals(SinkResult.Status.OK, OpenSearchSink.itemResult("es", item(201, null, null)).status());
        assertEquals(SinkResult.Status.OK, OpenSearchSink.itemResult("es", item(200, null, null)).status());
    }

    @Test
    void rejectionsAndServerErrorsAreRetried() {
        SinkResult busy = OpenSearchSink.itemResult("es", item(429, "es_rejected_execution_exception", "queue full"));
        assertEquals(SinkResult.Status.RETRY, busy.status());
        assertTrue(busy.error().getMessage().contains("status 429, es_rejected_execution_exception: queue full"), busy.error().getMessage());
        assertEquals(SinkResult.Status.RETRY, OpenSearchSink.itemResult("es", item(503, "unavailable_shards_exception", "primary shard is not active")).status());
    }

    @Test
    void mappingErrorsFailTheRecordWithOpenSearchsReason() {
        SinkResult bad = OpenSearchSink.itemResult("es", item(400, "mapper_parsing_exception", "failed to parse field [bytes] of type [long]"));
        assertEquals(SinkResult.Status.FAIL, bad.status());
        String message = bad.error().getMessage();
        assertTrue(message.contains("document t-0-7 in index logs-a"), message);
        assertTrue(message.contains("mapper_parsing_exception: failed to parse field [bytes] of type [long]"), message);
    }

    /**
     * Issue 12: with the node stopped 20 s and 22 s to start, one record was dead-lettered "retries-exhausted
     * (HttpHostConnectException)": a node that does not answer, or answers 429 or 5xx to the whole bulk, was a
     * per-record retry with a budget of about 33 s. It is the sink's outage: hold and probe, never dead-letter.
     */
    @Test
    void aNodeThatDoesNotAnswerOrRefusesTheWholeBulkIsAnOutageNotARecordRetry() {
        assertEquals(SinkResult.Status.UNAVAILABLE, OpenSearchSink.requestFailed("es", new IOException("Connection refused")).status());
        assertEquals(SinkResult.Status.UNAVAILABLE, OpenSearchSink.requestFailed("es", exception(429, "circuit_breaking_exception")).status());
        assertEquals(SinkResult.Status.UNAVAILABLE, OpenSearchSink.requestFailed("es", exception(502, "bad_gateway")).status());
        assertEquals(SinkResult.Status.UNAVAILABLE, OpenSearchSink.requestFailed("es", exception(503, "cluster_block_exception")).status());
    }

    @Test
    void aWholeRequestThatIsItselfWrongFails() {
        SinkResult tooLarge = OpenSearchSink.requestFailed("es", exception(413, "content_too_long"));
        assertEquals(SinkResult.Status.FAIL, tooLarge.status());
        assertTrue(tooLarge.error().getMessage().contains("lower the sink's BatchPolicy.maxBytes"), tooLarge.error().getMessage());
    }

    /**
     * Issue 11 (smaller defects): a refusal of the whole request (bad credentials, no rights) or of one index (a
     * write block, no rights on it, auto-creation off) is not the records' fault. Before, 401/403 failed every record
     * of every batch, so with a dead-letter topic the whole stream was dead-lettered and committed.
     */
    @Test
    void refusalsOfTheSinkOrOfAnIndexHoldTheRecordsInsteadOfFailingThem() {
        assertEquals(SinkResult.Status.UNAVAILABLE, OpenSearchSink.requestFailed("es", exception(401, "security_exception")).status());
        assertEquals(SinkResult.Status.UNAVAILABLE, OpenSearchSink.requestFailed("es", exception(403, "security_exception")).status());
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, OpenSearchSink.itemResult("es",
                item(403, "cluster_block_exception", "index [logs-a] blocked by: [FORBIDDEN/8/index write (api)]")).status());
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, OpenSearchSink.itemResult("es",
                item(403, "security_exception", "no permissions for [indices:data/write/bulk[s]]")).status());
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE, OpenSearchSink.itemResult("es",
                item(404, "index_not_found_exception", "no such index [logs-a]")).status());
        assertEquals(SinkResult.Status.FAIL, OpenSearchSink.itemResult("es",
                item(400, "mapper_parsing_exception", "failed to parse")).status(), "the record's own fault still fails it");
    }

    private static OpenSearchException exception(int status, String type) {
        return new OpenSearchException(ErrorResponse.of(r -> r.status(status).error(ErrorCause.of(e -> e.type(type).reason("because")))));
    }
}
