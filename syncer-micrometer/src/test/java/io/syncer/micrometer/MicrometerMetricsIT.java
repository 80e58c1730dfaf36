package io.syncer.micrometer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.failure.RetryPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Micrometer binding on a real pipeline: 200 records, 10 that fail once, 5 that always fail and
 * are dead-lettered after 2 attempts. Every meter is read back from a {@link SimpleMeterRegistry}.
 */
@WithKafka
@Timeout(90)
class MicrometerMetricsIT {
    @Test
    void exposesCountersCommitLatencyQueueDepthAndPartitionLag(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("mm");
        String dlt = topic + ".dlt";
        String group = KafkaBroker.uniqueName("g-mm");
        broker.createTopic(topic, 2);
        broker.createTopic(dlt, 1);
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(broker.bootstrapServers()).build())) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String key = i < 10 ? "flaky-" + i : i < 15 ? "poison-" + i : "ok-" + i;
                records.add(new ProducerRecord<>(topic, i % 2, utf8(key), utf8("v" + i)));
            }
            assertTrue(producers.sendAll(records).stream().allMatch(r -> r.succeeded()));

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Set<String> failedOnce = ConcurrentHashMap.newKeySet();
            QueueWorker<ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(QueueWorkerConfig.builder()
                            .name("mm").retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(10))
                                    .maxBackoff(Duration.ofMillis(20)).build())
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build(),
                    RecordDecoder.identity(), AsyncConsumeWorker.blocking((id, r) -> {
                        String key = new String(r.key(), StandardCharsets.UTF_8);
                        if (key.startsWith("poison") || key.startsWith("flaky") && failedOnce.add(key)) {
                            throw new IllegalStateException("failing " + key);
                        }
                    }));
            ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                    .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200)).build();
            try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue, new MicrometerMetrics(registry))) {
                manager.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> sum(registry, MicrometerMetrics.RECORDS_PROCESSED) == 195
                        && sum(registry, MicrometerMetrics.RECORDS_DEAD_LETTERED) == 5);
                await().atMost(Duration.ofSeconds(10)).until(() -> gauges(registry, MicrometerMetrics.PARTITION_COMMITTED)
                        .stream().mapToDouble(Gauge::value).sum() == 200);

                assertEquals(200, sum(registry, MicrometerMetrics.RECORDS_CONSUMED));
                assertEquals(10 + 5, sum(registry, MicrometerMetrics.RECORDS_RETRIED), "10 flaky once, 5 poison once");
                Timer commits = registry.find(MicrometerMetrics.COMMIT_LATENCY).tag("group", group).tag("outcome", "success").timer();
                assertTrue(commits != null && commits.count() > 0, "commit latency recorded");
                assertEquals(0, gauge(registry, MicrometerMetrics.QUEUE_RECORDS, "group", group));
                assertEquals(0, gauge(registry, MicrometerMetrics.QUEUE_BYTES, "group", group));
                assertEquals(2, gauge(registry, MicrometerMetrics.PARTITIONS, "state", "assigned"));
                assertEquals(0, gauge(registry, MicrometerMetrics.PARTITIONS, "state", "failed"));
                assertEquals(0, gauge(registry, MicrometerMetrics.WORKER_IN_FLIGHT, "queue", "mm"));
                List<Gauge> lags = gauges(registry, MicrometerMetrics.PARTITION_LAG);
                assertEquals(2, lags.size(), "one lag gauge per partition");
                await().atMost(Duration.ofSeconds(10)).until(() -> gauges(registry, MicrometerMetrics.PARTITION_LAG)
                        .stream().allMatch(g -> g.value() == 0));
                assertEquals(Set.of("0", "1"), Set.copyOf(lags.stream().map(g -> g.getId().getTag("partition")).toList()));
            }
        }
    }

    private static double sum(SimpleMeterRegistry registry, String name) {
        return Search.in(registry).name(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String tag, String value) {
        Gauge g = registry.find(name).tag(tag, value).gauge();
        if (g == null) {
            throw new AssertionError("no gauge " + name + "{" + tag + "=" + value + "}: " + registry.getMetersAsString());
        }
        return g.value();
    }

    private static List<Gauge> gauges(SimpleMeterRegistry registry, String name) {
        return new ArrayList<>(registry.find(name).gauges());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
