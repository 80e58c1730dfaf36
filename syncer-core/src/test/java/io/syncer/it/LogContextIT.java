package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.LogContext;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * The MDC keys of {@link LogContext} around calls into application code (with {@code logContext(true)}), on a real
 * broker: the decoder and the
 * router see their own record's coordinates (never an earlier record's, nor a key the application put while handling
 * it), a sink's write sees the group and the sink, its partitionAssigned the partition.
 */
@WithKafka
@Timeout(60)
class LogContextIT {
    private static final int PER_PARTITION = 50;

    @Test
    void applicationCodeRunsWithItsRecordsCoordinatesInTheMdcAndNothingLeaksBetweenRecords(KafkaBroker broker) {
        String topic = KafkaBroker.uniqueName("mdc");
        String group = KafkaBroker.uniqueName("g-mdc");
        broker.createTopic(topic, 2);
        Records.produce(broker, topic, 2, PER_PARTITION, i -> "k" + i);
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<Map<String, String>> writes = new CopyOnWriteArrayList<>();
        List<Map<String, String>> assigned = new CopyOnWriteArrayList<>();
        RecordDecoder<String> decoder = record -> {
            expectRecord("decoder", group, record, wrong);
            return new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
        };
        Sink<String> sink = new Sink<>() {
            @Override
            public String name() {
                return "store";
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<String>> batch) {
                writes.add(context());
                return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), SinkResult.ok()));
            }

            @Override
            public void partitionAssigned(TopicPartition partition, long firstOffset) {
                Map<String, String> c = context();
                c.put("expected", partition.topic() + "-" + partition.partition());
                assigned.add(c);
            }
        };
        Syncer syncer = Syncer.builder(decoder)
                .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                        .kafkaProperties(broker.clientProperties()).logContext(true).build())
                .worker(QueueWorkerConfig.builder().workers(2).build())
                .sink(sink)
                .router((value, record) -> {
                    expectRecord("router", group, record, wrong);
                    MDC.put("app.key", "set while handling " + record.offset()); // must not reach the next record
                    return List.of(Route.to("store"));
                })
                .build();
        syncer.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> syncer.sinkStats().get("store").written() == 2 * PER_PARTITION);
        } finally {
            syncer.close(Duration.ofSeconds(10));
        }
        assertEquals(List.of(), wrong);
        assertTrue(!writes.isEmpty());
        for (Map<String, String> w : writes) {
            assertEquals(Map.of(LogContext.GROUP, group, LogContext.SINK, "store"), w, "a sink write's context");
        }
        assertEquals(2, assigned.size(), String.valueOf(assigned));
        for (Map<String, String> a : assigned) {
            assertEquals(group, a.get(LogContext.GROUP));
            assertEquals(a.get("expected"), a.get(LogContext.TOPIC) + "-" + a.get(LogContext.PARTITION), "partitionAssigned");
        }
    }

    private static void expectRecord(String where, String group, ConsumerRecord<byte[], byte[]> record, List<String> wrong) {
        Map<String, String> expected = Map.of(LogContext.GROUP, group, LogContext.TOPIC, record.topic(),
                LogContext.PARTITION, Integer.toString(record.partition()), LogContext.OFFSET, Long.toString(record.offset()));
        Map<String, String> actual = context();
        if (!expected.equals(actual)) {
            wrong.add(where + " of " + record.partition() + "@" + record.offset() + " saw " + actual);
        }
    }

    private static Map<String, String> context() {
        Map<String, String> c = MDC.getCopyOfContextMap();
        return c == null ? new java.util.HashMap<>() : new java.util.HashMap<>(c);
    }
}
