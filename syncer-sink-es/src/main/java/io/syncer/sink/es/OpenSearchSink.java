package io.syncer.sink.es;

import io.syncer.SyncerException;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkBuilder;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkSettings;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;

/**
 * Indexes records into OpenSearch with one {@code _bulk} request per batch, through the official
 * {@code opensearch-java} async client, and gives every record its own result.
 *
 * <p>Results. An item with status 2xx is written. HTTP 429 (a full write queue, a circuit breaker,
 * a flood-stage block) and 5xx are retriable: core retries only those records, with backoff. Any
 * other item error (a mapping conflict, a malformed field, 400) is permanent, so the record is
 * dead-lettered with OpenSearch's error type and reason, except 403 and 404 on an item (the index
 * is write-blocked, not writable with these rights, or missing with auto-creation off): that is
 * the index's fault, so its records are held un-acknowledged and probed
 * ({@link SinkResult#destinationUnavailable}), never dead-lettered. A failed request as a whole
 * (the node unreachable, 429 or 5xx to the whole bulk, 401 or 403: bad credentials, no rights)
 * holds every record of the sink ({@link SinkResult#unavailable}) and core probes until the node
 * takes writes again, so an outage of any length dead-letters nothing; any other 4xx on the whole
 * request fails it. A document that cannot be turned into JSON fails only
 * its own record.
 *
 * <p>Delivery is at least once. The document id defaults to the source record's coordinates
 * ({@code topic-partition-offset}), so a record delivered again after a crash or a rebalance
 * overwrites itself instead of adding a duplicate. The index is the route's destination, or
 * {@link Builder#index} when the route names none.
 *
 * <p>Thread-safe. The client is the caller's and is not closed here.
 *
 * @param <T> the item type
 */
public final class OpenSearchSink<T> implements Sink<T> {
    /**
     * Default {@link SinkBuilder#batchPolicy}: 1,000 documents or 5 MiB per bulk request, 50 ms linger,
     * 2 requests at once. Bigger bulks index faster on a warm node; keep a request well under
     * {@code http.max_content_length} (100 MB).
     */
    public static final BatchPolicy DEFAULT_BATCH_POLICY = BatchPolicy.builder().maxRecords(1_000)
            .maxBytes(5L * 1024 * 1024).linger(Duration.ofMillis(50)).maxInFlight(2).build();

    private final SinkSettings settings;
    private final String name;
    private final OpenSearchAsyncClient client;
    private final JsonpMapper mapper;
    private final Function<? super T, ?> document;
    private final Function<? super SinkRecord<T>, String> id;

    private OpenSearchSink(Builder<T> b) {
        this.settings = b.settings();
        this.name = settings.name();
        this.client = b.client;
        this.mapper = b.client._transport().jsonpMapper();
        this.document = b.document;
        this.id = b.id;
    }

    /**
     * A builder for a sink called {@code name} writing through {@code client}.
     *
     * @param <T> the item type
     * @param name the sink's name, used in routes
     * @param client the async client (its transport's JSON mapper serializes the documents)
     * @return the builder
     */
    public static <T> Builder<T> builder(String name, OpenSearchAsyncClient client) {
        return new Builder<>(name, client);
    }

    /**
     * The default document id: the source record's {@code topic-partition-offset}.
     *
     * @param <T> the item type
     * @param record the record
     * @return its id
     */
    public static <T> String coordinates(SinkRecord<T> record) {
        ConsumerRecord<byte[], byte[]> s = record.source();
        return s.topic() + "-" + s.partition() + "-" + s.offset();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchPolicy batchPolicy() {
        return settings.batchPolicy();
    }

    @Override
    public CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) {
        SinkResult[] results = new SinkResult[batch.size()];
        List<BulkOperation> operations = new ArrayList<>(batch.size());
        int[] recordOf = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            SinkRecord<T> record = batch.get(i);
            String index = settings.destinationOf(record);
            if (index == null) {
                results[i] = settings.noDestination();
                continue;
            }
            JsonValue json;
            String docId;
            try {
                // serialized here, one record at a time, so a document that cannot be written fails alone
                json = JsonData.of(document.apply(record.value()), mapper).toJson();
                docId = id.apply(record);
            } catch (RuntimeException e) {
                results[i] = SinkResult.fail(new SyncerException("sink " + name + ": cannot build the document for "
                        + coordinates(record) + ": " + e, e));
                continue;
            }
            JsonData body = JsonData.of(json);
            recordOf[operations.size()] = i;
            operations.add(BulkOperation.of(o -> o.index(x -> x.index(index).id(docId).document(body))));
        }
        if (operations.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(results));
        }
        CompletableFuture<BulkResponse> response;
        try {
            response = client.bulk(BulkRequest.of(b -> b.operations(operations)));
        } catch (Exception e) {
            response = CompletableFuture.failedFuture(e);
        }
        int sent = operations.size();
        return response.handle((r, error) -> {
            if (error != null) {
                SinkResult all = requestFailed(name, unwrap(error));
                for (int k = 0; k < sent; k++) {
                    results[recordOf[k]] = all;
                }
            } else if (r.items().size() != sent) {
                SinkResult all = SinkResult.retry(new SyncerException("sink " + name + ": OpenSearch answered "
                        + r.items().size() + " items for " + sent + " operations"));
                for (int k = 0; k < sent; k++) {
                    results[recordOf[k]] = all;
                }
            } else {
                for (int k = 0; k < sent; k++) {
                    results[recordOf[k]] = itemResult(name, r.items().get(k));
                }
            }
            return Arrays.asList(results);
        });
    }

    /** One bulk item's outcome: 2xx written, 429 and 5xx retriable, anything else permanent. */
    static SinkResult itemResult(String sink, BulkResponseItem item) {
        int status = item.status();
        if (item.error() == null && status >= 200 && status < 300) {
            return SinkResult.ok();
        }
        SyncerException error = new SyncerException("sink " + sink + ": OpenSearch rejected document " + item.id()
                + " in index " + item.index() + " (status " + status + ", " + describe(item.error()) + ")");
        if (status == 403 || status == 404) {
            // a write block, no rights on the index, or the index missing with auto-creation off: the index's
            // fault, not the document's; core holds that index's records and probes it
            return SinkResult.destinationUnavailable(error);
        }
        return retriable(status) ? SinkResult.retry(error) : SinkResult.fail(error);
    }

    /**
     * A whole request's failure. The node not answering (a transport error), or answering 429 or 5xx to the whole
     * bulk, or 401/403 (credentials, rights): the sink cannot write now, so its records are held and probed, and a
     * long outage never spends their retries into the dead-letter topic. Any other 4xx: the request itself is wrong.
     */
    static SinkResult requestFailed(String sink, Throwable error) {
        if (error instanceof OpenSearchException) {
            OpenSearchException e = (OpenSearchException) error;
            SyncerException wrapped = new SyncerException("sink " + sink + ": bulk request failed (status " + e.status() + ", "
                    + describe(e.error()) + ")" + (e.status() == 413 ? "; lower the sink's BatchPolicy.maxBytes" : ""), e);
            if (e.status() == 401 || e.status() == 403 || retriable(e.status())) {
                return SinkResult.unavailable(wrapped);
            }
            return SinkResult.fail(wrapped);
        }
        return SinkResult.unavailable(new SyncerException("sink " + sink + ": bulk request failed: " + error, error));
    }

    private static boolean retriable(int status) {
        return status == 429 || status >= 500;
    }

    private static String describe(ErrorCause cause) {
        if (cause == null) {
            return "no error detail";
        }
        return cause.type() + ": " + cause.reason();
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Validating builder with named defaults; not thread-safe.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> extends SinkBuilder<Builder<T>> {
        private final OpenSearchAsyncClient client;
        private Function<? super T, ?> document = Function.identity();
        private Function<? super SinkRecord<T>, String> id = OpenSearchSink::coordinates;

        private Builder(String name, OpenSearchAsyncClient client) {
            super(name, "index", DEFAULT_BATCH_POLICY);
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * The index for records whose route names none. Default: none (such records fail).
         *
         * @param index an index or alias name
         * @return this builder
         */
        public Builder<T> index(String index) {
            return defaultDestination(index);
        }

        /**
         * What to index for an item: any object the client's JSON mapper can serialize (a POJO, a
         * {@code Map}, a Jackson tree). Default: the item itself.
         *
         * @param document the mapping
         * @return this builder
         */
        public Builder<T> document(Function<? super T, ?> document) {
            this.document = Objects.requireNonNull(document, "document");
            return this;
        }

        /**
         * The document id per record. Default {@link OpenSearchSink#coordinates}: a re-delivered
         * record overwrites its earlier copy. A business key works too, if it is unique.
         *
         * @param id the id function
         * @return this builder
         */
        public Builder<T> id(Function<? super SinkRecord<T>, String> id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Builds the sink.
         *
         * @return the sink
         */
        public OpenSearchSink<T> build() {
            return new OpenSearchSink<>(this);
        }
    }
}
