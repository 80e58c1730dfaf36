package io.syncer.benchmarks;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.test.KafkaBroker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * P12 (issue 14, target 4): one hot key through the Kafka sink (the producer's {@code linger.ms} 20, as in P3). In
 * KEY order a key's records used to advance one sink round trip at a time, about 1 / (linger + round trip) records
 * a second; now a key's queued records share a batch because the Kafka sink keeps a key's order within one. The
 * baseline is the same pipeline in UNORDERED order; a third row runs KEY order with a sink that does not declare
 * it (the old behaviour, on a smaller data set, reported in records a second).
 */
final class HotKeyScenario {
    private final BenchmarkSuite suite;

    HotKeyScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 20_000 : 200_000;
        String topic = KafkaBroker.uniqueName("p12");
        KafkaBroker.createTopic(suite.admin, topic, 1);
        suite.produce(topic, records, 1);
        for (int bound : new int[] {ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS, 3 * ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS}) {
            suite.compare("P12 one hot key, Kafka sink, queue bound " + bound + " records", records,
                    "syncer-sink-kafka, UNORDERED", () -> pipeline(topic, records, OrderingMode.UNORDERED, true, bound),
                    "syncer-sink-kafka, KEY order (a key's records share a batch)",
                    () -> pipeline(topic, records, OrderingMode.KEY, true, bound));
        }
        int few = suite.quick ? 100 : 600;
        String small = KafkaBroker.uniqueName("p12-one-by-one");
        KafkaBroker.createTopic(suite.admin, small, 1);
        suite.produce(small, few, 1);
        Measurement before = Measurement.of(() -> pipeline(small, few, OrderingMode.KEY, false,
                ConsumerGroupConfig.DEFAULT_MAX_QUEUED_RECORDS));
        suite.addRow(String.format("| P12 one hot key, Kafka sink | KEY order, one record per round trip (sink not"
                + " declaring key order) | %d | %.0f | %.2f | %.0f | - | - |", few, before.recordsPerSecond(),
                before.cpuSeconds(), before.peakHeapMb()));
    }

    private long pipeline(String topic, int records, OrderingMode ordering, boolean keepsKeyOrder, int bound) throws Exception {
        String out = KafkaBroker.uniqueName("p12-out");
        KafkaBroker.createTopic(suite.admin, out, 1);
        Map<String, Object> props = suite.producerProps();
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(props).build())) {
            Syncer syncer = Syncer.builder(RecordDecoder.identity())
                    .consumer(ConsumerGroupConfig.builder().groupId(KafkaBroker.uniqueName("p12")).topics(topic)
                            .bootstrapServers(suite.bootstrap).maxQueuedRecords(bound).build())
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(ordering).build())
                    .sink(KafkaSink.<ConsumerRecord<byte[], byte[]>>builder("out", producers).topic(out)
                            .keepsKeyOrder(keepsKeyOrder).build())
                    .build();
            syncer.start();
            while (end(out) < records) {
                Thread.sleep(10);
            }
            syncer.close(Duration.ofSeconds(30));
        }
        return end(out);
    }

    private long end(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return suite.admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }
}
