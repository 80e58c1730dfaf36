package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ordering modes on a real broker with more workers (8) than partitions (2): KEY keeps per-key order
 * while different keys of one partition overlap; PARTITION runs one record per partition at a time;
 * UNORDERED overlaps even records of one key.
 */
@WithKafka
@Timeout(120)
class OrderingIT {
    private static final int PARTITIONS = 2;
    private static final int PER_PARTITION = 600;
    private static final int KEYS = 6;

    @ParameterizedTest
    @EnumSource(OrderingMode.class)
    void orderingModeDoesWhatItSays(OrderingMode mode, KafkaBroker broker) {
        String topic = KafkaBroker.uniqueName("order-" + mode.name().toLowerCase());
        broker.createTopic(topic, PARTITIONS);
        Records.produce(broker, topic, PARTITIONS, PER_PARTITION, i -> "key" + (i % KEYS));

        Map<String, List<Long>> orderByKey = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> runningByKey = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> runningByPartition = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger maxPerKey = new AtomicInteger();
        AtomicInteger maxPerPartition = new AtomicInteger();
        List<Long> done = new CopyOnWriteArrayList<>();
        AsyncConsumeWorker<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> worker =
                AsyncConsumeWorker.blocking((id, r) -> {
                    String key = r.partition() + "/" + new String(r.key(), StandardCharsets.UTF_8);
                    AtomicInteger k = runningByKey.computeIfAbsent(key, x -> new AtomicInteger());
                    AtomicInteger p = runningByPartition.computeIfAbsent(r.partition(), x -> new AtomicInteger());
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    maxPerKey.accumulateAndGet(k.incrementAndGet(), Math::max);
                    maxPerPartition.accumulateAndGet(p.incrementAndGet(), Math::max);
                    orderByKey.computeIfAbsent(key, x -> new CopyOnWriteArrayList<>()).add(r.offset());
                    Thread.sleep(2);
                    k.decrementAndGet();
                    p.decrementAndGet();
                    running.decrementAndGet();
                    done.add(r.offset());
                });
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(KafkaBroker.uniqueName("g-order"))
                .topics(topic).kafkaProperties(broker.clientProperties()).build();
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.builder().workers(8).ordering(mode).build(),
                RecordDecoder.identity(), worker);
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
            manager.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> done.size() >= PARTITIONS * PER_PARTITION);
        }
        assertEquals(PARTITIONS * PER_PARTITION, done.size());
        System.out.printf("%s: max concurrent %d, per partition %d, per key %d%n",
                mode, maxRunning.get(), maxPerPartition.get(), maxPerKey.get());
        switch (mode) {
            case KEY:
                assertInOrder(orderByKey);
                assertEquals(1, maxPerKey.get(), "one record per key at a time");
                assertTrue(maxRunning.get() > PARTITIONS, "concurrency beyond the partition count: " + maxRunning);
                assertTrue(maxPerPartition.get() > 1, "keys of one partition overlap: " + maxPerPartition);
                break;
            case PARTITION:
                assertInOrder(orderByKey);
                assertEquals(1, maxPerPartition.get(), "one record per partition at a time");
                assertTrue(maxRunning.get() <= PARTITIONS);
                break;
            case UNORDERED:
                assertTrue(maxPerKey.get() > 1, "records of one key overlap: " + maxPerKey);
                assertTrue(maxRunning.get() > PARTITIONS, "concurrency beyond the partition count: " + maxRunning);
                break;
            default:
                throw new AssertionError(mode);
        }
    }

    private static void assertInOrder(Map<String, List<Long>> orderByKey) {
        assertEquals(PARTITIONS * KEYS, orderByKey.size());
        for (Map.Entry<String, List<Long>> e : orderByKey.entrySet()) {
            List<Long> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            assertEquals(sorted, e.getValue(), "processing order of key " + e.getKey());
        }
    }
}
