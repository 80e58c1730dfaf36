package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.test.ChildProcessKafkaBroker;
import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Scenario 2: the broker (a child process) stopped and started again twice while records are produced and
 * consumed, the second time for longer than the pipeline's session timeout. The pipeline (a child JVM, Kafka to
 * Kafka with a dead-letter topic) must not rewind any partition (committed offsets never go back), must consume again
 * within seconds of the broker's return, and nothing may be lost: not by the pipeline, not by the producer
 * ({@link KafkaProducers}), not by the dead-letter writer.
 */
final class BrokerRestartScenario {
    /** One record in this many is not JSON: the dead-letter writer's share. */
    private static final int BAD_EVERY = 1_000;

    private BrokerRestartScenario() {
    }

    static Result run(Env env, int records, Duration shortOutage, Duration longOutage) throws Exception {
        try (ChildProcessKafkaBroker broker = ChildProcessKafkaBroker.start()) {
            String source = KafkaBroker.uniqueName("rel-src");
            String target = KafkaBroker.uniqueName("rel-out");
            String dlt = KafkaBroker.uniqueName("rel-dlt");
            String group = KafkaBroker.uniqueName("rel-g");
            broker.createTopic(source, 6);
            broker.createTopic(target, 6);
            broker.createTopic(dlt, 1);
            Child child = Child.start(env.work, "broker-restart", List.of("sink=kafka", "bootstrap=" + broker.bootstrapServers(),
                    "source=" + source, "group=" + group, "target=" + target, "dlt=" + dlt));
            AtomicLong bad = new AtomicLong();
            KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                    .bootstrapServers(broker.bootstrapServers()).kafkaProperty("delivery.timeout.ms", 300_000)
                    .kafkaProperty("max.block.ms", 300_000).build());
            // spread over the run, so both outages happen mid-stream
            PacedProducer producer = PacedProducer.start(records, 500, shortOutage.plus(longOutage).toNanos() * 3, (from, to) -> {
                List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (long seq = from; seq < to; seq++) {
                    batch.add(Numbered.record(source, seq));
                    if (seq % BAD_EVERY == BAD_EVERY - 1) {
                        batch.add(new ProducerRecord<>(source, ("not json " + seq).getBytes(StandardCharsets.UTF_8)));
                        bad.incrementAndGet();
                    }
                }
                for (SendResult r : producers.sendAll(batch)) {
                    if (!r.succeeded()) {
                        throw new IllegalStateException("the producer lost a record", r.error());
                    }
                }
            });

            CommittedWatch watch = new CommittedWatch(broker, group);
            double worstRecovery = 0;
            List<String> notes = new ArrayList<>();
            for (Duration outage : List.of(shortOutage, longOutage)) {
                watch.sleep(Duration.ofSeconds(5));
                long before = Env.logEnd(broker, target);
                broker.stop();
                Thread.sleep(outage.toMillis());
                broker.restart();
                long back = System.nanoTime();
                while (Env.logEnd(broker, target) <= before && System.nanoTime() - back < 120e9) {
                    Thread.sleep(100);
                }
                double recovery = (System.nanoTime() - back) / 1e9;
                worstRecovery = Math.max(worstRecovery, recovery);
                notes.add(String.format("down %ds, delivering again %.1fs after its return", outage.toSeconds(), recovery));
            }
            producer.join();
            producers.close();
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (!Env.committedToEnd(broker, group, source) && System.nanoTime() < deadline) {
                watch.sleep(Duration.ofMillis(200));
            }
            child.stop();
            Numbered.Held held = Numbered.read(broker.bootstrapServers(), target);
            long deadLetters = Env.logEnd(broker, dlt);
            long lost = held.lost(records) + Math.max(0, bad.get() - deadLetters);
            notes.add("dead letters " + deadLetters + " of " + bad.get());
            notes.add("committed offsets went back " + watch.rewinds + " times");
            if (watch.rewinds > 0) {
                throw new IllegalStateException("a committed offset went back: " + watch.firstRewind);
            }
            return new Result("broker-restart", records, held.distinct(), lost, held.duplicates(), worstRecovery,
                    child.peakHeapMb(), String.join("; ", notes));
        }
    }

    /** Samples the group's committed offsets while waiting: a committed offset must never go back (a rewind). */
    private static final class CommittedWatch {
        private final KafkaBroker broker;
        private final String group;
        private final Map<TopicPartition, Long> highest = new HashMap<>();
        int rewinds;
        String firstRewind;

        CommittedWatch(KafkaBroker broker, String group) {
            this.broker = broker;
            this.group = group;
        }

        void sleep(Duration d) throws InterruptedException {
            long end = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < end) {
                try {
                    broker.committedOffsets(group).forEach((tp, o) -> {
                        Long was = highest.get(tp);
                        if (was != null && o < was) {
                            rewinds++;
                            if (firstRewind == null) {
                                firstRewind = tp + " from " + was + " to " + o;
                            }
                        }
                        highest.merge(tp, o, Math::max);
                    });
                } catch (Exception brokerDown) {
                    // not readable while the broker is down
                }
                Thread.sleep(200);
            }
        }
    }
}
