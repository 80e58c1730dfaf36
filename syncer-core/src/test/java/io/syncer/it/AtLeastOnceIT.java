package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.DrainMode;
import io.syncer.failure.RetryPolicy;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sarama defect 4: offsets were committed when records entered the queue, so a crash lost every
 * queued record. Here workers are slow and fail at random, the first manager is closed abruptly
 * (no drain) mid-run and a second one takes over the group. An independent watcher reads the
 * group's committed offsets with Admin throughout and checks that every record below each committed
 * offset had already been processed.
 */
@WithKafka
@Timeout(180)
class AtLeastOnceIT {
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 10_000;
    private static final int TOTAL = PARTITIONS * PER_PARTITION;

    @Test
    void abruptCloseAndRestartLosesNothingAndNeverCommitsPastUnfinishedWork(KafkaBroker broker) throws Exception {
        String topic = KafkaBroker.uniqueName("alo");
        String group = KafkaBroker.uniqueName("g-alo");
        broker.createTopic(topic, PARTITIONS);
        Records.produce(broker, topic, PARTITIONS, PER_PARTITION, i -> "k" + (i % 100));

        Records.Processed processed = new Records.Processed();
        AtomicLong failures = new AtomicLong();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicLong samples = new AtomicLong();
        AtomicLong maxCommittedSeen = new AtomicLong();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                Map<TopicPartition, Long> committed;
                try {
                    committed = Records.committed(broker, group);
                } catch (IllegalStateException adminFailure) {
                    continue; // interrupted at the end, or a transient admin error: not a commit observation
                }
                for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
                    // read after the commit was observed: processed only grows, so a gap is a real violation
                    for (long o = 0; o < e.getValue(); o++) {
                        if (!processed.contains(topic, e.getKey().partition(), o)) {
                            violations.add(e.getKey() + " committed " + e.getValue() + " but offset " + o + " unprocessed");
                            break;
                        }
                    }
                    maxCommittedSeen.accumulateAndGet(e.getValue(), Math::max);
                }
                samples.incrementAndGet();
                try {
                    Thread.sleep(10); // the whole run can take under a second: look often
                } catch (InterruptedException ex) {
                    return;
                }
            }
        }, "alo-commit-watcher");
        watcher.start();

        AsyncConsumeWorker<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> flaky =
                AsyncConsumeWorker.blocking((id, r) -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    if (random.nextInt(20) == 0) {
                        Thread.sleep(2);
                    }
                    if (random.nextInt(20) == 0) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("random failure");
                    }
                    processed.add(r);
                });
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties())
                .commitInterval(Duration.ofMillis(200))
                .maxQueuedRecords(2_000)
                .build();
        QueueWorkerConfig workers = QueueWorkerConfig.builder().workers(8).retryPolicy(RetryPolicy.builder()
                .maxAttempts(Integer.MAX_VALUE).initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(50)).build())
                .build();

        ConsumerGroupManager first = ConsumerGroupManager.create(config, QueueWorker.create(workers, RecordDecoder.identity(), flaky));
        first.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> processed.distinct() >= TOTAL / 3);
        long beforeAbort = processed.distinct();
        first.close(Duration.ofSeconds(10), DrainMode.ABANDON);
        long committedAtAbort = Records.committed(broker, group).values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("abrupt close after %d distinct records; %d committed at that point%n", beforeAbort, committedAtAbort);
        assertTrue(committedAtAbort < TOTAL, "the abort must happen mid-run");

        ConsumerGroupManager second = ConsumerGroupManager.create(config, QueueWorker.create(workers, RecordDecoder.identity(), flaky));
        second.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> processed.distinct() == TOTAL);
        } finally {
            second.close(Duration.ofSeconds(30));
            watching.set(false);
            watcher.interrupt();
            watcher.join();
        }

        assertEquals(List.of(), processed.missing(topic, PARTITIONS, PER_PARTITION), "every record processed at least once");
        assertEquals(List.of(), violations, "a committed offset passed an unprocessed record");
        assertTrue(samples.get() > 10 && maxCommittedSeen.get() > 0, "the watcher saw commits: " + samples + " samples");
        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        Records.endOffsets(broker, topic, PARTITIONS).forEach((tp, end) -> assertEquals(end, committed.get(tp), tp.toString()));
        assertTrue(failures.get() > 0, "the workers must have failed some attempts");
        System.out.printf("at-least-once: %d records, %d failed attempts retried, %d duplicates after the abrupt close, "
                + "%d commit samples checked%n", TOTAL, failures.get(), processed.duplicates(), samples.get());
    }
}
