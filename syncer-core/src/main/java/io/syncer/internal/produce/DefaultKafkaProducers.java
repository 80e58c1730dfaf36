package io.syncer.internal.produce;

import io.syncer.RetriableSyncerException;
import io.syncer.SyncerException;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.produce.TransactionalKafkaProducers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@link KafkaProducers} implementation over one {@code KafkaProducer}. Thread-safe because
 * {@code KafkaProducer} is; all error translation happens in {@link #translate}.
 */
public final class DefaultKafkaProducers implements TransactionalKafkaProducers {
    /** Extra wait on top of the delivery timeout, so the producer's own timeout fires first. */
    private static final Duration WAIT_SLACK = Duration.ofSeconds(10);

    private final Producer<byte[], byte[]> producer;
    private final Duration maxWait;
    private final String bootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Transactional: set by {@link #transactional}; sends then belong to the open transaction. */
    private volatile boolean transactional;
    /**
     * The first send failure of the open transaction (which puts the producer in an abortable error
     * state) and the record it was for: the producer fails every later send with the same exception.
     */
    private final java.util.concurrent.atomic.AtomicReference<FirstFailure> transactionError =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Open connections of the producer, from its own metrics; -1 when unknown. */
    private long brokerConnections() {
        return io.syncer.internal.util.ClientMetrics.brokerConnections(producer.metrics());
    }

    /** Set by the exactly-once commit cycle: the open transaction holds one record, redone alone. */
    private volatile boolean alone;

    private record FirstFailure(ProducerRecord<byte[], byte[]> record, Throwable error) {
    }

    public DefaultKafkaProducers(KafkaProducersConfig config) {
        this(config, KafkaProducer::new);
    }

    /** A transactional producer with its transactions initialised. */
    public static DefaultKafkaProducers transactional(KafkaProducersConfig config, String transactionalId) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        DefaultKafkaProducers producers = new DefaultKafkaProducers(
                KafkaProducersConfig.builder().kafkaProperties(props).deliveryTimeout(config.deliveryTimeout()).build(),
                KafkaProducer::new);
        producers.transactional = true;
        try {
            producers.producer.initTransactions();
        } catch (RuntimeException e) {
            producers.close(Duration.ofSeconds(5));
            throw translate("transactions of " + transactionalId, e);
        }
        return producers;
    }

    @Override
    public void beginTransaction() {
        transactionError.set(null);
        producer.beginTransaction();
    }

    /**
     * Whether the transaction about to begin holds one record only. Until a record fails its
     * transaction alone, its failure is not known to be its own (its output may be too large, or
     * the transaction may have timed out): it is reported retriable and the work redone, so a record
     * is dead-lettered once, when it failed alone.
     */
    public void transactionHoldsOneRecord(boolean one) {
        this.alone = one;
    }

    @Override
    public boolean isTransactional() {
        return transactional;
    }

    @Override
    public boolean transactionFailed() {
        return transactionError.get() != null;
    }

    /**
     * A send's failure as the caller sees it. In a transaction only the first failure is the
     * record's; the later ones fail because the transaction already did, and succeed once it is
     * aborted and its work done again: retriable, so a healthy record is never dead-lettered for it.
     */
    private SyncerException failure(ProducerRecord<byte[], byte[]> record, Throwable error) {
        String topic = record.topic();
        if (error instanceof org.apache.kafka.common.errors.TimeoutException && brokerConnections() == 0) {
            // Kafka says "topic not present in metadata": with no broker connection the topic is not the problem
            return new RetriableSyncerException("send to " + topic + " failed: cannot reach bootstrap.servers="
                    + bootstrapServers + " (no connection to any broker, so the topic's metadata could not be fetched): "
                    + error.getMessage(), error);
        }
        if (!transactional || error instanceof org.apache.kafka.common.errors.TransactionAbortedException) {
            // an abort's undrained sends say nothing about the next transaction: they must not mark it failed
            return error instanceof org.apache.kafka.common.errors.TransactionAbortedException
                    ? new RetriableSyncerException("send to " + topic + " was aborted with its transaction", error)
                    : translate(topic, error);
        }
        FirstFailure first = transactionError.compareAndExchange(null, new FirstFailure(record, error));
        if (first == null || first.record() == record) {
            if (alone) {
                return translate(topic, error); // alone in its transaction: the failure is this record's own
            }
            return new RetriableSyncerException("send to " + topic + " failed and failed its transaction ("
                    + error.getClass().getSimpleName() + ": " + error.getMessage() + "); the transaction's work is redone"
                    + " in smaller transactions until the record at fault is alone", error);
        }
        return new RetriableSyncerException("send to " + topic + " failed because a send of the same transaction had"
                + " failed (" + first.error().getClass().getSimpleName() + ": " + first.error().getMessage() + "); it is"
                + " sent again after the transaction is aborted", error);
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        producer.sendOffsetsToTransaction(offsets, group);
    }

    @Override
    public void commitTransaction() {
        producer.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        producer.abortTransaction();
    }

    /** For tests: a producer factory (e.g. a {@code MockProducer}). */
    public DefaultKafkaProducers(KafkaProducersConfig config, Function<Map<String, Object>, Producer<byte[], byte[]>> factory) {
        Map<String, Object> p = new HashMap<>(config.kafkaProperties());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(KafkaProducersConfig.DEFAULT_LINGER.toMillis()));
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(config.deliveryTimeout().toMillis()));
        Duration delivery = Duration.ofMillis(Long.parseLong(String.valueOf(p.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))));
        this.maxWait = delivery.plus(WAIT_SLACK);
        this.bootstrapServers = String.valueOf(p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        try {
            this.producer = factory.apply(p);
        } catch (org.apache.kafka.common.KafkaException e) {
            // "Failed to construct kafka producer" says nothing: name the address and keep the client's reason
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new SyncerException("cannot create the Kafka producer for bootstrap.servers="
                    + p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + root.getMessage(), e);
        }
    }

    @Override
    public RecordMetadata send(String topic, byte[] key, byte[] value) {
        return send(new ProducerRecord<>(topic, key, value));
    }

    @Override
    public RecordMetadata send(ProducerRecord<byte[], byte[]> record) {
        return await(record, sendAsync(record));
    }

    @Override
    public List<SendResult> sendAll(List<ProducerRecord<byte[], byte[]>> records) {
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> r : records) {
            futures.add(sendAsync(r));
        }
        List<SendResult> results = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ProducerRecord<byte[], byte[]> r = records.get(i);
            try {
                results.add(new SendResult(r, await(r, futures.get(i)), null));
            } catch (SyncerException e) {
                results.add(new SendResult(r, null, e));
            }
        }
        return results;
    }

    @Override
    public CompletableFuture<RecordMetadata> sendAsync(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new SyncerException("send to " + record.topic() + " after KafkaProducers was closed"));
            return result;
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    result.complete(metadata);
                } else {
                    result.completeExceptionally(failure(record, error));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(failure(record, e));
        }
        return result;
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public List<org.apache.kafka.common.PartitionInfo> partitionsFor(String topic) {
        if (closed.get()) {
            throw new SyncerException("metadata of " + topic + " asked after KafkaProducers was closed");
        }
        try {
            return producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            throw translate(topic, e);
        }
    }

    @Override
    public void close(Duration timeout) {
        if (closed.compareAndSet(false, true)) {
            producer.close(timeout);
        }
    }

    private RecordMetadata await(ProducerRecord<byte[], byte[]> record, CompletableFuture<RecordMetadata> future) {
        try {
            return future.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SyncerException ? (SyncerException) cause : translate(record.topic(), cause);
        } catch (TimeoutException e) {
            throw new RetriableSyncerException("send to " + record.topic() + " not acknowledged within " + maxWait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncerException("interrupted while sending to " + record.topic(), e);
        }
    }

    /** The one place Kafka producer errors become syncer exceptions. */
    static SyncerException translate(String topic, Throwable error) {
        String message = "send to " + topic + " failed: " + error.getClass().getSimpleName() + ": " + error.getMessage();
        return error instanceof RetriableException
                ? new RetriableSyncerException(message, error)
                : new SyncerException(message, error);
    }
}
