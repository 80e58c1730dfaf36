package io.syncer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.ChildJvm;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: the pipeline runs in a child JVM that is killed with SIGKILL mid-run (no close, no
 * final commit). The committed offsets it left must not pass any record it had not processed, and
 * a new member of the group then processes everything that was left; the re-processed records are
 * counted, not lost.
 */
@WithKafka
@Timeout(180)
class CrashRecoveryIT {
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 3_000;

    @Test
    void killedPipelineLosesNothingAndCommittedNothingUnprocessed(KafkaBroker broker, @TempDir Path dir) throws Exception {
        String topic = KafkaBroker.uniqueName("crash");
        String group = KafkaBroker.uniqueName("g-crash");
        broker.createTopic(topic, PARTITIONS);
        Records.produce(broker, topic, PARTITIONS, PER_PARTITION, i -> "k" + (i % 50));
        Path log = dir.resolve("processed.log");

        Process child = ChildJvm.start(CrashingPipeline.class, dir, broker.bootstrapServers(), topic, group, log.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> lines(log).size() >= PARTITIONS * PER_PARTITION / 3
                    && !Records.committed(broker, group).isEmpty());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        Set<String> beforeCrash = new HashSet<>(lines(log));
        Map<TopicPartition, Long> committedAtCrash = Records.committed(broker, group);
        long committedTotal = committedAtCrash.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("killed the pipeline after %d processed records; %d committed%n", beforeCrash.size(), committedTotal);
        assertTrue(committedTotal < PARTITIONS * PER_PARTITION, "the kill must happen mid-run");
        for (Map.Entry<TopicPartition, Long> e : committedAtCrash.entrySet()) {
            for (long o = 0; o < e.getValue(); o++) {
                assertTrue(beforeCrash.contains(e.getKey().partition() + ":" + o),
                        e.getKey() + " committed " + e.getValue() + " but offset " + o + " was never processed");
            }
        }

        Records.Processed after = new Records.Processed();
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.ofDefaults(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> after.add(r)));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .kafkaProperties(broker.clientProperties()).build();
        try (ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue)) {
            manager.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> coveredBoth(beforeCrash, after, topic) == PARTITIONS * PER_PARTITION);
        }
        List<String> missing = new ArrayList<>();
        long reprocessed = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            for (long o = 0; o < PER_PARTITION; o++) {
                boolean before = beforeCrash.contains(p + ":" + o);
                boolean again = after.contains(topic, p, o);
                if (!before && !again) {
                    missing.add(p + ":" + o);
                }
                if (before && again) {
                    reprocessed++;
                }
                if (!again) {
                    assertTrue(o < committedAtCrash.getOrDefault(new TopicPartition(topic, p), 0L),
                            "the restart skipped " + p + ":" + o + " which was not committed");
                }
            }
        }
        assertEquals(List.of(), missing, "records lost across the crash");
        System.out.printf("crash recovery: %d records processed before the kill, %d committed, %d re-processed after "
                + "restart (processed but not yet committed at the kill), 0 lost%n", beforeCrash.size(), committedTotal, reprocessed);
        Map<TopicPartition, Long> committed = Records.committed(broker, group);
        Records.endOffsets(broker, topic, PARTITIONS).forEach((tp, end) -> assertEquals(end, committed.get(tp), tp.toString()));
    }

    /** How many distinct records were processed before the kill or after the restart. */
    private static long coveredBoth(Set<String> before, Records.Processed after, String topic) {
        Set<String> union = new HashSet<>(before);
        for (int p = 0; p < PARTITIONS; p++) {
            for (long o : after.offsets(topic, p)) {
                union.add(p + ":" + o);
            }
        }
        return union.size();
    }

    private static List<String> lines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                out.add(l.trim());
            }
        }
        return out;
    }
}
