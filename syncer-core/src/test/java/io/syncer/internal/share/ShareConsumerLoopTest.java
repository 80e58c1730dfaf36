package io.syncer.internal.share;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.share.ShareGroupConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.AcknowledgementCommitCallback;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A share consumer loop against a scripted share consumer that behaves as Kafka's does in the case CI showed on a
 * real broker: the client fetched records in the background while an earlier poll's records were in work and held
 * them past their lock. The broker refuses to renew or accept such a record (it has given it to another member).
 */
@Timeout(30)
class ShareConsumerLoopTest {
    private static final String TOPIC = "t";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final long LOCK_MS = 1_000;

    private final List<Long> handed = new CopyOnWriteArrayList<>();
    private DefaultShareGroupManager manager;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        if (manager != null) {
            manager.close(Duration.ofSeconds(2), DrainMode.ABANDON);
        }
        if (thread != null) {
            thread.join(5_000);
        }
    }

    /**
     * Offsets 0 and 1 take 1.6 lock halves; the next poll returns 2 (its lock ran out in the client's buffer) and 3
     * (still locked). Before the fix, 2 was handed over and processed here while the broker had given it to another
     * member; now the poll's records are renewed first and only 3, which the broker renewed, is processed.
     */
    @Test
    void recordsHeldPastTheirLockByTheClientAreRenewedFirstAndTheLapsedOneIsNotProcessed() {
        ScriptedShareConsumer consumer = new ScriptedShareConsumer();
        consumer.script.add(List.of(0L, 1L));
        consumer.script.add(List.of(2L, 3L));
        consumer.script.add(List.of(4L));
        consumer.lapsed.add(2L);
        ConsumerGroupHandler handler = (session, claim) -> {
            for (ConsumerRecord<byte[], byte[]> r : claim.records()) {
                handed.add(r.offset());
            }
            // the first poll's records are in work for 800 ms, beyond half the lock: the next poll's start is due a renewal
            long work = claim.records().get(0).offset() == 0 ? 800 : 0;
            finishLater(claim, work);
        };
        start(consumer, handler);

        await().untilAsserted(() -> assertEquals(Set.of(0L, 1L, 3L, 4L), consumer.acceptedOffsets()));
        assertFalse(handed.contains(2L), "offset 2 lost its lock in the client's buffer; handed: " + handed);
        assertEquals(List.of(0L, 1L, 3L, 4L), handed);
        assertTrue(consumer.renewedOffsets().containsAll(List.of(2L, 3L)), "renewed: " + consumer.renewedOffsets());
        assertFalse(consumer.renewedOffsets().contains(4L), "a poll right after a short batch is not renewed first");
        await().until(() -> manager.stats().lapsed() == 1);
        assertEquals(Set.of(), consumer.refusedAccepts, "nothing accepted that the broker no longer gave this member");
    }

    private void finishLater(PartitionClaim claim, long millis) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            claim.records().forEach(claim::markProcessed);
        }, "finisher");
        t.setDaemon(true);
        t.start();
    }

    private void start(ScriptedShareConsumer consumer, ConsumerGroupHandler handler) {
        ShareGroupConfig config = ShareGroupConfig.builder().groupId("g").topics(TOPIC).bootstrapServers("unused:9092")
                .renewLocks(true).lockDuration(Duration.ofMillis(LOCK_MS)).lockMargin(Duration.ofMillis(200))
                .acknowledgeInterval(Duration.ofMillis(10)).pollTimeout(Duration.ofMillis(20)).build();
        manager = new DefaultShareGroupManager(config, handler, SyncerMetrics.NOOP, props -> consumer);
        thread = new Thread(new ShareConsumerLoop(manager, 0), "share-loop");
        thread.start();
    }

    /**
     * A share consumer with Kafka's acknowledgement rules as the loop relies on them: acknowledgements are sent by a
     * commit; a renewed record comes back as a new object in the next poll, which then returns nothing else; a record
     * whose lock lapsed is neither renewed nor accepted. Main polls return the scripted offsets in turn.
     */
    private static final class ScriptedShareConsumer implements ShareConsumer<byte[], byte[]> {
        final Deque<List<Long>> script = new ArrayDeque<>();
        final Set<Long> lapsed = new HashSet<>();
        final Set<Long> refusedAccepts = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final Map<Long, AcknowledgeType> unsent = new HashMap<>();
        private final List<Long> toReturn = new ArrayList<>();
        private final Set<Long> accepted = new HashSet<>();
        /** Offsets whose renewal was sent, granted or not. */
        private final List<Long> renewAsked = new ArrayList<>();
        private final Set<ConsumerRecord<byte[], byte[]>> lastPoll = new HashSet<>();

        synchronized Set<Long> acceptedOffsets() {
            return Set.copyOf(accepted);
        }

        synchronized List<Long> renewedOffsets() {
            return List.copyOf(renewAsked);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            send();
            List<Long> offsets;
            if (!toReturn.isEmpty()) {
                offsets = new ArrayList<>(toReturn);
                toReturn.clear();
            } else {
                offsets = script.isEmpty() ? List.of() : script.poll();
            }
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (long o : offsets) {
                records.add(new ConsumerRecord<>(TOPIC, 0, o, null, new byte[1])); // a new object each delivery
            }
            lastPoll.clear();
            lastPoll.addAll(records);
            return records.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(Map.of(TP, records), Map.of());
        }

        @Override
        public synchronized void acknowledge(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
            if (!lastPoll.contains(record)) {
                throw new IllegalStateException("record " + record.offset() + " is not from the last poll");
            }
            unsent.put(record.offset(), type);
        }

        @Override
        public synchronized Map<TopicIdPartition, Optional<KafkaException>> commitSync(Duration timeout) {
            boolean refused = send();
            return Map.of(new TopicIdPartition(Uuid.ONE_UUID, TP),
                    refused ? Optional.of(new InvalidRecordStateException("lock lapsed")) : Optional.empty());
        }

        /** Applies what was acknowledged; {@code true} if the broker refused some. */
        private boolean send() {
            boolean refused = false;
            for (Map.Entry<Long, AcknowledgeType> e : unsent.entrySet()) {
                long offset = e.getKey();
                if (e.getValue() == AcknowledgeType.RENEW) {
                    renewAsked.add(offset);
                }
                if (lapsed.contains(offset)) {
                    refused = true;
                    if (e.getValue() == AcknowledgeType.ACCEPT) {
                        refusedAccepts.add(offset);
                    }
                } else if (e.getValue() == AcknowledgeType.RENEW) {
                    toReturn.add(offset);
                } else if (e.getValue() == AcknowledgeType.ACCEPT) {
                    accepted.add(offset);
                }
            }
            unsent.clear();
            return refused;
        }

        @Override
        public synchronized Map<TopicIdPartition, Optional<KafkaException>> commitSync() {
            return commitSync(Duration.ofSeconds(1));
        }

        @Override
        public synchronized void commitAsync() {
            send();
        }

        @Override
        public Optional<Integer> acquisitionLockTimeoutMs() {
            return Optional.of((int) LOCK_MS);
        }

        @Override
        public Set<String> subscription() {
            return Set.of(TOPIC);
        }

        @Override
        public void subscribe(Collection<String> topics) {
        }

        @Override
        public void unsubscribe() {
        }

        @Override
        public void acknowledge(ConsumerRecord<byte[], byte[]> record) {
            acknowledge(record, AcknowledgeType.ACCEPT);
        }

        @Override
        public void acknowledge(String topic, int partition, long offset, AcknowledgeType type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setAcknowledgementCommitCallback(AcknowledgementCommitCallback callback) {
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            return Uuid.ONE_UUID;
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return Map.of();
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
        }

        @Override
        public synchronized void close() {
            send();
        }

        @Override
        public void close(Duration timeout) {
            close();
        }

        @Override
        public void wakeup() {
        }
    }
}
