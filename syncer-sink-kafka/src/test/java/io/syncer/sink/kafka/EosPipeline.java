package io.syncer.sink.kafka;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The exactly-once forwarder, run by {@link ExactlyOnceIT} in a child JVM that it kills with
 * SIGKILL, and in-process for the restart.
 */
public final class EosPipeline {
    private static final List<Route> ROUTES = List.of(Route.to("out"));

    private EosPipeline() {
    }

    static Syncer build(String bootstrap, String group, String source, String out, String transactionalId,
                        Duration commitInterval, TransactionalKafkaProducers[] producerOut) {
        TransactionalKafkaProducers tx = TransactionalKafkaProducers.create(
                KafkaProducersConfig.builder().bootstrapServers(bootstrap).kafkaProperty("linger.ms", 5).build(), transactionalId);
        producerOut[0] = tx;
        return Syncer.builder(RecordDecoder.identity())
                .consumer(ConsumerGroupConfig.builder().groupId(group).topics(source).bootstrapServers(bootstrap)
                        .commitInterval(commitInterval)
                        .kafkaProperty("isolation.level", "read_committed")
                        .kafkaProperty("session.timeout.ms", 6000)
                        .build())
                .worker(QueueWorkerConfig.builder().workers(2).build())
                .sink(KafkaSink.<ConsumerRecord<byte[], byte[]>>builder("out", tx).topic(out).build())
                .router((record, consumed) -> {
                    LockSupport.parkNanos(100_000); // about 10k records/s per worker: the kill lands mid-run
                    return ROUTES;
                })
                .exactlyOnce(tx)
                .build();
    }

    /**
     * Runs until killed.
     *
     * @param args bootstrap servers, group, source topic, output topic, transactional id
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        TransactionalKafkaProducers[] tx = new TransactionalKafkaProducers[1];
        // long transactions, so the kill lands while one holds many written, uncommitted records
        Syncer syncer = build(args[0], args[1], args[2], args[3], args[4], Duration.ofSeconds(1), tx);
        syncer.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
