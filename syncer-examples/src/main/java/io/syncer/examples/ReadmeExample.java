package io.syncer.examples;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.ErrorClassifier;
import io.syncer.failure.RetryPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.sink.kafka.KafkaSink;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The code the README shows, compiled with the build so the README cannot drift from the API.
 * Not run by the demo; see {@link AccessLogDemo} for a complete program.
 */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    /**
     * The consuming snippet.
     *
     * @return the started manager
     */
    static ConsumerGroupManager consume() {
        // 1. What to do with one record: called on a worker thread; throw to retry with backoff.
        QueueWorker<String> queue = QueueWorker.create(
                QueueWorkerConfig.builder().workers(8).ordering(OrderingMode.KEY).build(),
                RecordDecoder.utf8Value(),
                AsyncConsumeWorker.blocking((workerId, line) -> store(line)));

        // 2. Which group and topics; everything else has a named default.
        ConsumerGroupConfig config = ConsumerGroupConfig.builder()
                .groupId("access-log-syncer")
                .topicPattern(Pattern.compile("access-log-.*"))
                .bootstrapServers("kafka:9092")
                .build();

        // 3. Run it. close() drains queued work and commits what was processed.
        ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue);
        manager.start();
        manager.closeOnShutdown(Duration.ofSeconds(30));
        return manager;
    }

    /**
     * The producing snippet.
     *
     * @param key a key
     * @param value a value
     * @param records a batch
     * @param record one record
     */
    static void produce(byte[] key, byte[] value, List<ProducerRecord<byte[], byte[]>> records,
                        ProducerRecord<byte[], byte[]> record) {
        try (KafkaProducers producers = KafkaProducers.create(
                KafkaProducersConfig.builder().bootstrapServers("kafka:9092").build())) {
            RecordMetadata m = producers.send("docs", key, value);           // synchronous
            List<SendResult> results = producers.sendAll(records);            // per-record outcome
            CompletableFuture<RecordMetadata> f = producers.sendAsync(record); // asynchronous
            System.out.println(m + " " + results.size() + " " + f.isDone());
        }
    }

    /**
     * The failure-handling snippet.
     *
     * @param producers the shared producer used for dead letters
     * @return the queue configuration
     */
    static QueueWorkerConfig failures(KafkaProducers producers) {
        return QueueWorkerConfig.builder()
                .retryPolicy(RetryPolicy.builder().maxAttempts(5).maxElapsed(Duration.ofMinutes(2)).build())
                .errorClassifier(ErrorClassifier.builder().fatal(TenantUnknownException.class).build())
                .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, r -> r.topic() + ".dlt"))
                .build();
    }

    /**
     * The pipeline snippet.
     *
     * @param producers the shared producer
     * @param consumerConfig the consumer group
     * @param tenants the known tenants
     * @return the started pipeline
     */
    static Syncer pipeline(KafkaProducers producers, ConsumerGroupConfig consumerConfig, Set<String> tenants) {
        Syncer syncer = Syncer.builder(RecordDecoder.json(AccessLog.class))
                .consumer(consumerConfig)
                .worker(QueueWorkerConfig.builder().deadLetterPolicy(DeadLetterPolicy.toTopic(producers, "access.dlt")).build())
                .sink(KafkaSink.<AccessLog>builder("ai", producers).topic("access.ai").build())
                .sink(KafkaSink.<AccessLog>builder("bot", producers).topic("access.bot").build())
                .router((log, record) -> !tenants.contains(log.appid) ? List.of()            // unknown tenant: dead letter
                        : log.bot ? List.of(Route.to("ai"), Route.to("bot")) : List.of(Route.to("ai")))
                .build();
        syncer.start();
        return syncer;
    }

    /**
     * The exactly-once snippet.
     *
     * @param producerConfig the producer configuration
     * @param consumerConfig the consumer group
     * @return the pipeline
     */
    static Syncer exactlyOnce(KafkaProducersConfig producerConfig, ConsumerGroupConfig consumerConfig) {
        TransactionalKafkaProducers tx = TransactionalKafkaProducers.create(producerConfig, "access-forwarder-0");
        Syncer syncer = Syncer.builder(RecordDecoder.identity())
                .consumer(consumerConfig)
                .sink(KafkaSink.<ConsumerRecord<byte[], byte[]>>builder("out", tx).topic("access.copy").build())
                .exactlyOnce(tx)
                .build();
        return syncer;
    }

    /** A failure no retry can fix, for the snippet. */
    static final class TenantUnknownException extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static void store(String line) {
        System.out.println(line);
    }
}
