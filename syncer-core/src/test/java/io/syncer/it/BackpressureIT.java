package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.GroupSession;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backpressure: partitions 0 and 1 hold a large backlog and a slow worker; partitions 2 and 3 get a
 * trickle of records and a fast worker. For longer than {@code max.poll.interval.ms}: the queue
 * never exceeds its count or byte bound, only partitions 0 and 1 are ever paused, partitions 2 and 3
 * keep flowing, and the member is never removed from the group.
 */
@WithKafka
@Timeout(120)
class BackpressureIT {
    private static final int MAX_POLL_INTERVAL_MS = 6_000;
    private static final long RUN_MS = MAX_POLL_INTERVAL_MS + 3_000;

    enum Bound {
        /** 200-byte records, 400 records max: the count binds. */
        COUNT(200, 400, 10L * 1024 * 1024),
        /** 1 KiB records, 100 KiB max: the bytes bind (about 65 records, each counted with its 512-byte overhead). */
        BYTES(1024, 100_000, 100L * 1024);

        final int recordSize;
        final int maxRecords;
        final long maxBytes;

        Bound(int recordSize, int maxRecords, long maxBytes) {
            this.recordSize = recordSize;
            this.maxRecords = maxRecords;
            this.maxBytes = maxBytes;
        }
    }

    @ParameterizedTest
    @EnumSource(Bound.class)
    void slowPartitionsArePausedAloneAndTheMemberStaysInTheGroup(Bound bound, KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("bp-" + bound.name().toLowerCase());
        String group = KafkaBroker.uniqueName("g-bp");
        broker.createTopic(topic, 4);
        byte[] payload = new byte[bound.recordSize - 8];
        try (KafkaProducer<byte[], byte[]> producer = Records.producer(broker)) {
            for (int i = 0; i < 3_000; i++) {
                producer.send(new ProducerRecord<>(topic, 0, Records.bytes(String.format("k%07d", i % 100)), payload));
                producer.send(new ProducerRecord<>(topic, 1, Records.bytes(String.format("k%07d", i % 100)), payload));
            }
        }

        AtomicLong maxTrickleLatencyMs = new AtomicLong();
        AtomicInteger trickleProcessed = new AtomicInteger();
        AsyncConsumeWorker<ConsumerRecord<byte[], byte[]>> worker = AsyncConsumeWorker.blocking((id, r) -> {
            if (r.partition() < 2) {
                Thread.sleep(5);
            } else {
                maxTrickleLatencyMs.accumulateAndGet(System.currentTimeMillis() - r.timestamp(), Math::max);
                trickleProcessed.incrementAndGet();
            }
        });
        CountingHandler handler = new CountingHandler(QueueWorker.create(
                QueueWorkerConfig.builder().workers(4).ordering(OrderingMode.PARTITION).build(), RecordDecoder.identity(), worker));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties())
                .kafkaProperty("max.poll.interval.ms", MAX_POLL_INTERVAL_MS)
                .revokeTimeout(Duration.ofSeconds(3))
                .maxQueuedRecords(bound.maxRecords)
                .maxQueuedBytes(bound.maxBytes)
                .build();

        List<String> violations = new CopyOnWriteArrayList<>();
        Set<TopicPartition> everPaused = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong maxQueuedRecords = new AtomicLong();
        AtomicLong maxQueuedBytes = new AtomicLong();
        AtomicInteger trickleSent = new AtomicInteger();
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, handler);
             KafkaProducer<byte[], byte[]> trickle = Records.producer(broker)) {
            manager.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> manager.health().assignment().size() == 4);
            String memberAtStart = onlyMember(broker, group).consumerId();
            long end = System.currentTimeMillis() + RUN_MS;
            long nextTrickle = 0;
            while (System.currentTimeMillis() < end) {
                GroupHealth h = manager.health();
                maxQueuedRecords.accumulateAndGet(h.queuedRecords(), Math::max);
                maxQueuedBytes.accumulateAndGet(h.queuedBytes(), Math::max);
                if (h.queuedRecords() > bound.maxRecords || h.queuedBytes() > bound.maxBytes) {
                    violations.add("queue over bounds: " + h.queuedRecords() + " records, " + h.queuedBytes() + " bytes");
                }
                for (TopicPartition tp : h.pausedPartitions()) {
                    everPaused.add(tp);
                    if (tp.partition() >= 2) {
                        violations.add("fast partition paused: " + tp);
                    }
                }
                if (System.currentTimeMillis() >= nextTrickle) {
                    for (int p = 2; p < 4; p++) {
                        trickle.send(new ProducerRecord<>(topic, p, null, payload));
                        trickleSent.incrementAndGet();
                    }
                    nextTrickle = System.currentTimeMillis() + 100;
                }
                Thread.sleep(5);
            }
            int sent = trickleSent.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> trickleProcessed.get() >= sent);
            String memberAtEnd = onlyMember(broker, group).consumerId();
            assertEquals(memberAtStart, memberAtEnd, "the member must not be replaced");
            manager.close(Duration.ofSeconds(20), DrainMode.ABANDON);
        }
        System.out.printf("backpressure %s: max queued %d records / %d bytes (bounds %d / %d), paused %s, "
                        + "trickle max latency %d ms%n", bound, maxQueuedRecords.get(), maxQueuedBytes.get(),
                bound.maxRecords, bound.maxBytes, everPaused, maxTrickleLatencyMs.get());
        assertEquals(List.of(), violations);
        assertEquals(Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)), everPaused,
                "exactly the backed-up partitions were paused");
        assertEquals(1, handler.setups.get(), "one assignment for the whole run");
        assertEquals(0, handler.cleanupsBeforeClose.get(), "no revocation during the run");
        assertTrue(trickleProcessed.get() >= trickleSent.get(), "fast partitions kept flowing");
        assertTrue(maxTrickleLatencyMs.get() < 3_000, "fast partitions were not held up: " + maxTrickleLatencyMs + " ms");
        assertTrue(maxQueuedRecords.get() > 0);
    }

    private static MemberDescription onlyMember(KafkaBroker broker, String group) throws Exception {
        ConsumerGroupDescription d = broker.admin().describeConsumerGroups(List.of(group)).describedGroups()
                .get(group).get(10, TimeUnit.SECONDS);
        Collection<MemberDescription> members = d.members();
        assertEquals(1, members.size(), "members of " + group + ": " + members);
        return new ArrayList<>(members).get(0);
    }

    /** Counts the group moments of the QueueWorker it forwards to. */
    private static final class CountingHandler extends ForwardingHandler {
        final AtomicInteger setups = new AtomicInteger();
        final AtomicInteger cleanupsBeforeClose = new AtomicInteger();
        final AtomicBoolean closing = new AtomicBoolean();

        CountingHandler(QueueWorker<?> delegate) {
            super(delegate);
        }

        @Override
        public void setup(GroupSession session) throws Exception {
            setups.incrementAndGet();
            super.setup(session);
        }

        @Override
        public void cleanup(GroupSession session) throws Exception {
            if (!closing.get()) {
                cleanupsBeforeClose.incrementAndGet();
            }
            super.cleanup(session);
        }

        @Override
        public void close(Duration timeout, DrainMode mode) throws Exception {
            closing.set(true);
            super.close(timeout, mode);
        }
    }
}
