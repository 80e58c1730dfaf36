package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.test.KafkaBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Scenario 4: partitions added to a consumed topic, and a new topic matching the pipeline's pattern created, while
 * it runs (the sarama service saw neither until a restart). Each must be consumed within 10 s of its first record,
 * measured as the time until the group commits an offset on it, read with Admin.
 */
final class DiscoveryScenario {
    /** What the suite demands: consumed within this many seconds. */
    static final double LIMIT_SECONDS = 10;

    private DiscoveryScenario() {
    }

    static Result run(Env env, int records) throws Exception {
        String prefix = KafkaBroker.uniqueName("rel-pat");
        String first = prefix + "-a";
        String second = prefix + "-b";
        String target = KafkaBroker.uniqueName("rel-out");
        String group = KafkaBroker.uniqueName("rel-g");
        String bootstrap = env.broker.bootstrapServers();
        env.broker.createTopic(first, 3);
        env.broker.createTopic(target, 3);
        Child child = Child.start(env.work, "discovery", List.of("sink=kafka", "bootstrap=" + bootstrap,
                "pattern=" + Pattern.quote(prefix) + "-.*", "group=" + group, "target=" + target));
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap).build())) {
            long third = records / 3;
            Numbered.produce(producers, first, 0, third);
            awaitCommitted(env, group, new TopicPartition(first, 0), 60);

            env.broker.admin().createPartitions(Map.of(first, NewPartitions.increaseTo(6))).all().get();
            Thread.sleep(1_000); // the producer learns the new partitions from its own metadata refresh
            long addedAt = System.nanoTime();
            List<ProducerRecord<byte[], byte[]>> added = new ArrayList<>();
            for (int p = 3; p < 6; p++) {
                for (long seq = third + (p - 3) * (third / 3); seq < third + (p - 2) * (third / 3); seq++) {
                    added.add(new ProducerRecord<>(first, p, null, Numbered.value(seq)));
                }
            }
            for (io.syncer.produce.SendResult r : producers.sendAll(added)) {
                if (!r.succeeded()) {
                    throw new IllegalStateException("producing into the new partitions failed", r.error());
                }
            }
            for (int p = 3; p < 6; p++) {
                awaitCommitted(env, group, new TopicPartition(first, p), 60);
            }
            double partitionsAfter = (System.nanoTime() - addedAt) / 1e9;

            env.broker.createTopic(second, 3);
            long createdAt = System.nanoTime();
            long from = third + 3 * (third / 3);
            Numbered.produce(producers, second, from, records);
            for (int p = 0; p < 3; p++) {
                awaitCommitted(env, group, new TopicPartition(second, p), 60);
            }
            double topicAfter = (System.nanoTime() - createdAt) / 1e9;

            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!(Env.committedToEnd(env.broker, group, first) && Env.committedToEnd(env.broker, group, second))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            child.stop();
            Numbered.Held held = Numbered.read(bootstrap, target);
            if (partitionsAfter > LIMIT_SECONDS || topicAfter > LIMIT_SECONDS) {
                throw new IllegalStateException(String.format("discovery too slow: new partitions consumed after %.1f s,"
                        + " the new topic after %.1f s (limit %.0f s)", partitionsAfter, topicAfter, LIMIT_SECONDS));
            }
            return new Result("discovery", records, held.distinct(), held.lost(records), held.duplicates(),
                    Math.max(partitionsAfter, topicAfter), child.peakHeapMb(), String.format("3 partitions added: consumed"
                            + " %.1f s after their first records; a new topic matching the pattern: %.1f s", partitionsAfter,
                            topicAfter));
        } finally {
            if (child.isAlive()) {
                child.kill();
            }
        }
    }

    /** Waits until the group commits an offset above 0 on {@code tp}; returns the seconds it took. */
    private static double awaitCommitted(Env env, String group, TopicPartition tp, int seconds) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1e9) {
            Long c = env.broker.committedOffsets(group).get(tp);
            if (c != null && c > 0) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(tp + " not consumed within " + seconds + " s");
    }
}
