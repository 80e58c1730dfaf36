package io.syncer.sink.kafka;

import io.syncer.SyncerException;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkBuilder;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkSettings;
import io.syncer.sink.SinkThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Forwards records to Kafka: to the topic the {@link io.syncer.sink.Router} chose
 * ({@link SinkRecord#destination()}), or to the sink's default topic. By default the source
 * record's key, value, headers and timestamp are forwarded unchanged; a {@link Transform} builds
 * another record (e.g. a trimmed JSON for an analysis topic). With tracing on
 * ({@link io.syncer.queue.QueueWorkerConfig.Builder#tracing}), each produced record's headers carry the
 * trace context of its source record's processing span instead of the source's own.
 *
 * <p>The sink never blocks core's threads: {@code send} calls run on the sink's own thread
 * ({@code syncer-sink-<name>-send}; they block only when the producer's buffer is full), and a
 * topic's first records wait for its metadata, asked on another thread. A topic whose metadata
 * cannot be had within the producer's {@code max.block.ms} (it does not exist and cannot be
 * created, it is not authorized, the cluster is unreachable) is not a record error: its records
 * are answered {@link SinkResult#destinationUnavailable}, so core holds them un-acknowledged and
 * probes that topic alone while the other topics are written, and nothing is dead-lettered.
 *
 * <p>Each record's outcome comes from its producer callback, classified by Kafka's own types:
 * a send that timed out ({@code delivery.timeout.ms}: the cluster did not answer) holds its topic
 * like a missing one, unless the producer is transactional; any other {@code RetriableException}
 * (leader changes, not enough replicas) is retried by core;
 * anything else (record too large, not authorized, unknown topic after the delivery timeout) is
 * fatal and goes to the dead-letter policy. A transform that throws fails its record fatally.
 *
 * <p>Delivery is at least once: a record whose acknowledgement was lost is sent again. The shared
 * {@link KafkaProducers} is idempotent, so broker-side retries add no duplicates; a re-delivery
 * after a consumer crash can. Thread-safe. The producer is the user's and is not closed here.
 *
 * @param <T> the item type
 */
public final class KafkaSink<T> implements Sink<T> {
    /**
     * Default {@link SinkBuilder#batchPolicy}: 1,000 records, 1 MiB, 5 ms linger, 16 batches in flight.
     * A "batch" here only hands records to the producer, which batches per partition itself, so
     * many are let through at once: with few, the producer's batches stay small and wait out its
     * {@code linger.ms} (benchmark P3: 4 in flight ran at 0.78 of a hand-written loop, 16 at 1.37).
     */
    public static final BatchPolicy DEFAULT_BATCH_POLICY = BatchPolicy.builder().maxRecords(1_000)
            .linger(java.time.Duration.ofMillis(5)).maxInFlight(16).build();

    /**
     * Builds the record to produce for one sink record.
     *
     * @param <T> the item type
     */
    @FunctionalInterface
    public interface Transform<T> {
        /**
         * Builds the outgoing record.
         *
         * @param record the sink record (item, destination, source record)
         * @param topic the topic it goes to
         * @return the record to produce
         * @throws Exception fails the record fatally
         */
        ProducerRecord<byte[], byte[]> apply(SinkRecord<T> record, String topic) throws Exception;
    }

    private final SinkSettings settings;
    private final String name;
    private final KafkaProducers producers;
    private final Transform<T> transform;
    private final boolean keepsKeyOrder;
    /** Threads that ask new topics' metadata (each may block up to max.block.ms for a missing topic). */
    private static final int METADATA_THREADS = 2;
    /** Topics whose metadata is known (completed) or being asked for. */
    private final Map<String, CompletableFuture<Void>> topics = new ConcurrentHashMap<>();
    /** Runs send() calls, which block when the producer's buffer is full: never on core's threads. */
    private final ExecutorService sender;
    /** Asks for a new topic's metadata, which blocks up to max.block.ms when it is missing. */
    private final ExecutorService metadataLookups;

    private KafkaSink(Builder<T> b) {
        this.settings = b.settings();
        this.name = settings.name();
        this.producers = b.producers;
        this.transform = b.transform;
        this.keepsKeyOrder = b.keepsKeyOrder != null ? b.keepsKeyOrder : b.transform == FORWARD;
        this.sender = Executors.newSingleThreadExecutor(SinkThreads.factory(name, "send"));
        ThreadPoolExecutor lookups = new ThreadPoolExecutor(METADATA_THREADS, METADATA_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), SinkThreads.factory(name, "metadata"));
        lookups.allowCoreThreadTimeOut(true); // no threads while every topic is known
        this.metadataLookups = lookups;
    }

    /**
     * A builder.
     *
     * @param name the sink's name in routes and metrics
     * @param producers the shared producer (not closed by the sink)
     * @param <T> the item type
     * @return the builder
     */
    public static <T> Builder<T> builder(String name, KafkaProducers producers) {
        return new Builder<>(name, producers);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchPolicy batchPolicy() {
        return settings.batchPolicy();
    }

    /**
     * Records of one key in a batch are sent in batch order through one idempotent producer, so with the source key
     * kept (the default transform) they land on one partition in that order; see {@link Builder#keepsKeyOrder}.
     */
    @Override
    public boolean keepsKeyOrderInBatch() {
        return keepsKeyOrder;
    }

    @Override
    public CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) {
        SinkResult[] out = new SinkResult[batch.size()];
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        List<ProducerRecord<byte[], byte[]>> built = new ArrayList<>(Collections.nCopies(batch.size(), null));
        for (int i = 0; i < batch.size(); i++) {
            SinkRecord<T> record = batch.get(i);
            String topic = settings.destinationOf(record);
            if (topic == null) {
                out[i] = settings.noDestination();
                continue;
            }
            try {
                ProducerRecord<byte[], byte[]> produced = Objects.requireNonNull(transform.apply(record, topic),
                        "the transform returned null");
                // the downstream consumer continues the record's trace (replacing the source's context)
                record.trace().inject(produced.headers());
                built.set(i, produced);
            } catch (Exception e) {
                out[i] = SinkResult.fail(new SyncerException("sink " + name + ": transform failed: " + e, e));
                continue;
            }
            byTopic.computeIfAbsent(built.get(i).topic(), t -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>(byTopic.size());
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            String topic = e.getKey();
            List<Integer> indexes = e.getValue();
            // a topic's first records wait for its metadata off this thread: a missing topic would block
            // send() for max.block.ms per record on the thread that writes every destination
            sent.add(metadata(topic).handle((known, why) -> why).thenComposeAsync(why -> {
                if (why != null) {
                    SinkResult held = SinkResult.destinationUnavailable(new SyncerException("sink " + name + ": no metadata for"
                            + " topic " + topic + " (it does not exist and cannot be created, is not authorized, or the"
                            + " cluster is unreachable): " + why.getMessage(), why));
                    indexes.forEach(i -> out[i] = held);
                    return CompletableFuture.completedFuture(null);
                }
                List<CompletableFuture<Void>> each = new ArrayList<>(indexes.size());
                for (int i : indexes) {
                    each.add(producers.sendAsync(built.get(i)).handle((metadata, error) -> {
                        out[i] = error == null ? SinkResult.ok()
                                : classify(error, topic, transactional(producers));
                        return null;
                    }));
                }
                return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]));
            }, sender));
        }
        return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> Arrays.asList(out));
    }

    /**
     * Whether the sink's sends belong to transactions (the pipeline's exactly-once mode). Not by type: the
     * implementation behind {@link KafkaProducers#create} is a {@link TransactionalKafkaProducers} too.
     */
    static boolean transactional(KafkaProducers producers) {
        return producers.isTransactional();
    }

    /**
     * A send's failure as the record's result: a send that timed out (its batch expired after
     * {@code delivery.timeout.ms}: the topic's leader did not answer) is that topic's outage, held and probed, so a
     * target cluster down for any time spends no retries, except in a transaction, which aborts and rewinds as a
     * whole; other retriable failures are retried, the rest fail the record.
     */
    static SinkResult classify(Throwable error, String topic, boolean transactional) {
        Throwable cause = error.getCause() != null && !(error instanceof SyncerException) ? error.getCause() : error;
        if (!transactional && cause.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
            return SinkResult.destinationUnavailable(new SyncerException("the send to topic " + topic + " timed out"
                    + " (its leader did not answer within delivery.timeout.ms): " + cause.getMessage(), cause));
        }
        return cause instanceof SyncerException && ((SyncerException) cause).isRetriable()
                ? SinkResult.retry(cause) : SinkResult.fail(cause);
    }

    /**
     * Completes once {@code topic}'s metadata is known (at once after the first time), or fails when it
     * cannot be had within the producer's {@code max.block.ms}; a failure is forgotten, so the next
     * write (core's probe of the held destination) asks again.
     */
    private CompletableFuture<Void> metadata(String topic) {
        CompletableFuture<Void> f = topics.get(topic);
        if (f != null) {
            return f;
        }
        CompletableFuture<Void> fresh = new CompletableFuture<>();
        f = topics.putIfAbsent(topic, fresh);
        if (f != null) {
            return f;
        }
        try {
            metadataLookups.execute(() -> {
                try {
                    producers.partitionsFor(topic);
                    fresh.complete(null);
                } catch (UnsupportedOperationException e) {
                    fresh.complete(null); // the producers cannot tell: send as before
                } catch (Throwable t) {
                    topics.remove(topic, fresh);
                    fresh.completeExceptionally(t);
                }
            });
        } catch (RuntimeException rejected) {
            topics.remove(topic, fresh);
            fresh.completeExceptionally(rejected);
        }
        return fresh;
    }

    /** Stops the sink's send and metadata threads; the producer stays open (it is the caller's). */
    @Override
    public void close() {
        metadataLookups.shutdownNow();
        sender.shutdown();
        try {
            if (!sender.awaitTermination(10, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The default transform, one instance so that the sink can tell it from a user's. */
    @SuppressWarnings("rawtypes")
    private static final Transform FORWARD = KafkaSink::forward;

    /** Forwards the source record's key, value, headers and timestamp to {@code topic}. */
    static <T> ProducerRecord<byte[], byte[]> forward(SinkRecord<T> record, String topic) {
        ConsumerRecord<byte[], byte[]> s = record.source();
        RecordHeaders headers = new RecordHeaders();
        for (Header h : s.headers()) {
            headers.add(h);
        }
        return new ProducerRecord<>(topic, null, s.timestamp() < 0 ? null : s.timestamp(), s.key(), s.value(), headers);
    }

    /**
     * Validating builder; not thread-safe.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> extends SinkBuilder<Builder<T>> {
        private final KafkaProducers producers;
        @SuppressWarnings("unchecked")
        private Transform<T> transform = FORWARD;
        private Boolean keepsKeyOrder;

        private Builder(String name, KafkaProducers producers) {
            super(name, "topic", DEFAULT_BATCH_POLICY);
            this.producers = Objects.requireNonNull(producers, "producers");
        }

        /**
         * The topic for records routed without a destination. Default: none (such records fail).
         *
         * @param topic the topic
         * @return this builder
         */
        public Builder<T> topic(String topic) {
            return defaultDestination(topic);
        }

        /**
         * Builds the outgoing record. Default: forward the source record unchanged.
         *
         * @param transform the transform
         * @return this builder
         */
        public Builder<T> transform(Transform<T> transform) {
            this.transform = Objects.requireNonNull(transform, "transform");
            return this;
        }

        /**
         * Whether records of one source key stay in order in the destination when they share a batch: then, in KEY
         * order, a key's queued records are written a batch at a time instead of one round trip each (see
         * {@link Sink#keepsKeyOrderInBatch}). Default: {@code true} with the default transform (the source key is
         * kept, so the producer's partitioner puts a key on one partition); {@code false} with your own transform,
         * unless you say it maps a source key to one destination partition.
         *
         * @param keepsKeyOrder whether the transform keeps a source key on one destination partition
         * @return this builder
         */
        public Builder<T> keepsKeyOrder(boolean keepsKeyOrder) {
            this.keepsKeyOrder = keepsKeyOrder;
            return this;
        }

        /**
         * Builds the sink.
         *
         * @return the sink
         */
        public KafkaSink<T> build() {
            return new KafkaSink<>(this);
        }
    }
}
