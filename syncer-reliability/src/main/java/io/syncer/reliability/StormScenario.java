package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.test.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 3: a rebalance storm. One pipeline instance stays up while others join and leave again and again, half
 * of them stopped gracefully (SIGTERM: drain and commit) and half SIGKILLed, with the classic or the KIP-848
 * {@code consumer} group protocol, while records keep coming. Every record must reach the target; duplicates come
 * from the killed members' uncommitted work.
 */
final class StormScenario {
    private StormScenario() {
    }

    static Result run(Env env, String protocol, int records, int cycles) throws Exception {
        String name = "storm-" + protocol;
        String source = KafkaBroker.uniqueName("rel-src");
        String target = KafkaBroker.uniqueName("rel-out");
        String group = KafkaBroker.uniqueName("rel-g");
        String bootstrap = env.broker.bootstrapServers();
        env.broker.createTopic(source, 12);
        env.broker.createTopic(target, 6);
        List<String> args = List.of("sink=kafka", "bootstrap=" + bootstrap, "source=" + source, "group=" + group,
                "target=" + target, "protocol=" + protocol);
        Child stable = Child.start(env.work, name + "-stable", args);
        // long enough for a new member (a JVM start on 2 cores, then the join) to own partitions and do work
        Duration each = Duration.ofSeconds(5);
        long peakHeap = 0;
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap).build())) {
            PacedProducer producer = PacedProducer.start(records, 1_000, each.toNanos() * cycles,
                    (from, to) -> Numbered.produce(producers, source, from, to));
            int kills = 0;
            for (int c = 0; c < cycles; c++) {
                Child churn = Child.start(env.work, name + "-" + c, args);
                Thread.sleep(each.toMillis());
                if (c % 2 == 0) {
                    churn.stop();
                } else {
                    churn.kill();
                    kills++;
                }
                peakHeap = Math.max(peakHeap, churn.peakHeapMb());
            }
            producer.join();
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (!Env.committedToEnd(env.broker, group, source) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            stable.stop();
            peakHeap = Math.max(peakHeap, stable.peakHeapMb());
            Numbered.Held held = Numbered.read(bootstrap, target);
            return new Result(name, records, held.distinct(), held.lost(records), held.duplicates(), 0, peakHeap,
                    cycles + " joins and leaves (" + (cycles - kills) + " graceful, " + kills + " SIGKILL) beside one"
                            + " steady member, 12 partitions; duplicates are the killed members' uncommitted work");
        } finally {
            if (stable.isAlive()) {
                stable.kill();
            }
        }
    }
}
