package io.syncer.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward-index store ported from the Go service's sarama {@code ConsumerGroupHandler}, with the
 * same three moments: {@link #setup} when partitions are assigned, {@link #consumeClaim} for each
 * partition's batch, {@link #cleanup} before revoked partitions are committed. Each claim becomes
 * one OpenSearch {@code _bulk} on the handler's own thread ({@code forward-index-bulk}; the poll
 * thread never blocks), with the document id as the OpenSearch id, so a document pushed again (an
 * update, or a re-delivery after a crash) overwrites itself.
 *
 * <p>A record is marked processed only after OpenSearch stored it, which is what sarama's
 * {@code MarkMessage} after the write meant, minus its flaw: syncer commits only the contiguous
 * prefix of marked records. A bulk that fails as a whole, or items answered 429 or 5xx, are tried
 * again after a pause; an item OpenSearch refuses for good (a mapping conflict) halts its
 * partition with the reason instead of being acknowledged and dropped.
 */
final class ForwardIndexHandler implements ConsumerGroupHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardIndexHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    private final OpenSearchClient client;
    private final String index;
    private final ExecutorService bulk = Executors.newSingleThreadExecutor(r -> new Thread(r, "forward-index-bulk"));
    /** The latest bulk per partition: one thread runs them in order, so when it is done all earlier ones are. */
    private final Map<TopicPartition, Future<?>> latest = new ConcurrentHashMap<>();

    ForwardIndexHandler(OpenSearchClient client, String index) {
        this.client = client;
        this.index = index;
    }

    @Override
    public void setup(GroupSession session) {
        LOG.info("forward index: assigned {}", session.addedPartitions());
    }

    @Override
    public void consumeClaim(GroupSession session, PartitionClaim claim) {
        List<ConsumerRecord<byte[], byte[]>> records = claim.records();
        latest.put(claim.topicPartition(), bulk.submit(() -> store(claim, records)));
    }

    private void store(PartitionClaim claim, List<ConsumerRecord<byte[], byte[]>> records) {
        List<ConsumerRecord<byte[], byte[]>> pending = records;
        while (!pending.isEmpty() && !claim.isStopped()) {
            try {
                BulkRequest.Builder request = new BulkRequest.Builder();
                for (ConsumerRecord<byte[], byte[]> r : pending) {
                    Document doc = JSON.readValue(r.value(), Document.class);
                    request.operations(op -> op.index(i -> i.index(index).id(Long.toString(doc.docId)).document(doc)));
                }
                BulkResponse response = client.bulk(request.build());
                List<ConsumerRecord<byte[], byte[]>> again = new ArrayList<>();
                for (int i = 0; i < pending.size(); i++) {
                    BulkResponseItem item = response.items().get(i);
                    ConsumerRecord<byte[], byte[]> r = pending.get(i);
                    if (item.error() == null) {
                        claim.markProcessed(r);
                    } else if (item.status() == 429 || item.status() >= 500) {
                        again.add(r);
                    } else {
                        claim.halt(r, "OpenSearch refused document at offset " + r.offset() + ": " + item.error().type()
                                + ": " + item.error().reason());
                        return;
                    }
                }
                pending = again;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                claim.halt(pending.get(0), "not a document: " + e.getOriginalMessage());
                return;
            } catch (Exception e) {
                LOG.warn("forward index: bulk of {} documents failed, retrying: {}", pending.size(), e.toString());
            }
            if (!pending.isEmpty()) {
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Waits, at most the revoke timeout, for the revoked partitions' bulks, so their completion is committed. */
    @Override
    public void cleanup(GroupSession session) throws Exception {
        long deadline = System.nanoTime() + session.revokeTimeout().toNanos();
        for (TopicPartition tp : session.revokedPartitions()) {
            Future<?> f = latest.remove(tp);
            if (f == null) {
                continue;
            }
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.warn("forward index: a bulk of {} still runs at the revoke; its records are consumed again", tp);
            }
        }
    }

    @Override
    public void close(Duration timeout, DrainMode mode) throws InterruptedException {
        bulk.shutdown();
        if (!bulk.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            bulk.shutdownNow();
        }
    }
}
