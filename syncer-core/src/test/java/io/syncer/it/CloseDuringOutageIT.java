package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a pipeline while one of its sinks is in an outage (bad credentials: every write answers UNAVAILABLE) and
 * another writes: the held records go back uncommitted, for the partition's next owner. None may be retried until
 * its attempts run out and dead-lettered on the way out: a sink outage is never a record error, not even at close.
 */
@WithKafka
@Timeout(120)
class CloseDuringOutageIT {
    private static final int RECORDS = 40;

    @Test
    void recordsHeldByASinkInAnOutageAreGivenBackAtCloseNotDeadLettered(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("outage-close");
        String dlt = topic + ".dlt";
        String group = KafkaBroker.uniqueName("g-outage-close");
        broker.createTopic(topic, 2);
        broker.createTopic(dlt, 1);
        Records.produce(broker, topic, 2, RECORDS / 2, i -> "k" + i);
        AtomicLong written = new AtomicLong();
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(broker.bootstrapServers()).build())) {
            Syncer syncer = Syncer.builder(RecordDecoder.utf8Value())
                    .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                            .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(100)).build())
                    .worker(QueueWorkerConfig.builder().deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build())
                    .sink(sink("up", batch -> {
                        written.addAndGet(batch.size());
                        return SinkResult.ok();
                    }))
                    .sink(sink("down", batch -> SinkResult.unavailable(new IOException("401 bad credentials"))))
                    .build();
            syncer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() == RECORDS
                    && syncer.sinkStats().get("down").held() == RECORDS);
            syncer.close(Duration.ofSeconds(20));
        }
        assertEquals(0L, broker.endOffsets(dlt).values().stream().mapToLong(Long::longValue).sum(),
                "no record held by the sink in an outage is dead-lettered at close");
        assertEquals(0L, Records.committed(broker, group).values().stream().mapToLong(Long::longValue).sum(),
                "nothing is committed past the held records");
    }

    private static Sink<String> sink(String name, java.util.function.Function<List<SinkRecord<String>>, SinkResult> each) {
        return new Sink<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public BatchPolicy batchPolicy() {
                return BatchPolicy.builder().linger(Duration.ofMillis(10)).unavailableBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
                return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), each.apply(batch)));
            }
        };
    }
}
