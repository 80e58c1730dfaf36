package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Membership churn: member A runs throughout while members B and C join and leave twelve times
 * during a run of 100,000 records with slow workers (cooperative-sticky rebalancing). Every record
 * is processed at least once; no member works on a partition after its revoke completed, and no
 * record is processed by two members at once; duplicates stay within the in-flight window.
 */
@WithKafka
@Timeout(240)
class RebalanceChurnIT {
    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 16_667;
    private static final int TOTAL = PARTITIONS * PER_PARTITION;
    private static final int MAX_QUEUED = 1_000;

    private final Records.Processed processed = new Records.Processed();
    private final Map<String, String> inProgress = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger revokes = new AtomicInteger();
    private final AtomicInteger assignments = new AtomicInteger();

    @Test
    void everyRecordIsProcessedAndNoPartitionIsWorkedOnAfterItsRevoke(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("churn");
        String group = KafkaBroker.uniqueName("g-churn");
        broker.createTopic(topic, PARTITIONS);
        Records.produce(broker, topic, PARTITIONS, PER_PARTITION, i -> "k" + (i % 500));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties())
                // members notice a rebalance at their next heartbeat: 0.5 s instead of 3 s keeps the test short
                .kafkaProperty("heartbeat.interval.ms", 500)
                .maxQueuedRecords(MAX_QUEUED).build();

        ConsumerGroupManager a = member("A", config);
        a.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> processed.distinct() > 1_000);
        ConsumerGroupManager b = null;
        ConsumerGroupManager c = null;
        boolean bRunning = false;
        boolean cRunning = false;
        int changes = 0;
        String[] schedule = {"+B", "+C", "-B", "+B", "-C", "+C", "-B", "-C", "+B", "+C", "-C", "-B"};
        for (String step : schedule) {
            switch (step) {
                case "+B" -> {
                    b = started(member("B", config));
                    bRunning = true;
                }
                case "+C" -> {
                    c = started(member("C", config));
                    cRunning = true;
                }
                case "-B" -> {
                    b.close(Duration.ofSeconds(30), DrainMode.DRAIN);
                    bRunning = false;
                }
                case "-C" -> {
                    c.close(Duration.ofSeconds(30), DrainMode.ABANDON);
                    cRunning = false;
                }
                default -> throw new AssertionError(step);
            }
            changes++;
            List<ConsumerGroupManager> running = new java.util.ArrayList<>(List.of(a));
            if (bRunning) {
                running.add(b);
            }
            if (cRunning) {
                running.add(c);
            }
            // the change is complete when every running member owns part of the six partitions
            await().atMost(Duration.ofSeconds(30)).until(() -> running.stream().allMatch(m -> !m.health().assignment().isEmpty())
                    && running.stream().mapToInt(m -> m.health().assignment().size()).sum() == PARTITIONS);
            Thread.sleep(300);
            assertTrue(processed.distinct() < TOTAL, "the churn must happen while records remain (change " + changes + ")");
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> processed.distinct() == TOTAL);
        a.close(Duration.ofSeconds(30));

        assertEquals(List.of(), processed.missing(topic, PARTITIONS, PER_PARTITION), "records never processed");
        assertEquals(List.of(), violations);
        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        Records.endOffsets(broker, topic, PARTITIONS).forEach((tp, end) -> assertEquals(end, committed.get(tp), tp.toString()));
        long duplicates = processed.duplicates();
        System.out.printf("churn: %d records, %d membership changes, %d assignments, %d partitions revoked from running "
                + "members, %d duplicates (bound %d = changes x max queued), 0 concurrent or post-revoke executions%n",
                TOTAL, changes, assignments.get(), revokes.get(), duplicates, (long) changes * MAX_QUEUED);
        assertTrue(changes >= 10);
        assertTrue(assignments.get() > changes, "every change moved partitions to some member: " + assignments);
        assertTrue(revokes.get() > 0, "running members gave partitions up: " + revokes);
        assertTrue(duplicates <= (long) changes * MAX_QUEUED, "duplicates beyond the in-flight window: " + duplicates);
    }

    private static ConsumerGroupManager started(ConsumerGroupManager m) {
        m.start();
        return m;
    }

    private ConsumerGroupManager member(String name, ConsumerGroupConfig config) {
        Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
        QueueWorker<ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(
                QueueWorkerConfig.builder().name(name).workers(4).build(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    String record = tp + "@" + r.offset();
                    if (!owned.contains(tp)) {
                        violations.add(name + " worked on " + record + " after its revoke completed");
                    }
                    String other = inProgress.putIfAbsent(record, name);
                    if (other != null) {
                        violations.add(record + " processed by " + name + " while " + other + " was processing it");
                    }
                    try {
                        Thread.sleep(1); // interrupted when a member closes with ABANDON: not processed then
                        processed.add(r);
                    } finally {
                        inProgress.remove(record, name);
                    }
                }));
        ConsumerGroupHandler ownership = new ForwardingHandler(queue) {
            @Override
            public void setup(GroupSession session) throws Exception {
                owned.addAll(session.addedPartitions());
                assignments.incrementAndGet();
                super.setup(session);
            }

            @Override
            public void cleanup(GroupSession session) throws Exception {
                super.cleanup(session); // returns once in-flight records of the revoked partitions finished
                owned.removeAll(session.revokedPartitions());
                revokes.addAndGet(session.revokedPartitions().size());
            }
        };
        return ConsumerGroupManager.create(config, ownership);
    }
}
