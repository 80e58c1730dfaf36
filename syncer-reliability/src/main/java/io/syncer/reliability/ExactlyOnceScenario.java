package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.test.ChildProcessKafkaBroker;
import io.syncer.test.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 8: exactly once under faults. A transactional Kafka to Kafka pipeline ({@code exactlyOnce}) on a
 * child-process broker goes through SIGKILLs of an instance (restarted with its transactional id), a broker stop and
 * restart, and a rebalance storm (members joining and leaving, half SIGTERM, half SIGKILL), while records keep
 * coming. A read_committed reader of the target must see every record exactly once: lost and duplicates must both
 * be 0. A read_uncommitted reader counts the aborted copies the faults left in the log, invisible to the first.
 */
final class ExactlyOnceScenario {
    private ExactlyOnceScenario() {
    }

    static Result run(Env env, int records, int kills, int stormCycles) throws Exception {
        try (ChildProcessKafkaBroker broker = ChildProcessKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            String source = KafkaBroker.uniqueName("rel-src");
            String target = KafkaBroker.uniqueName("rel-out");
            String group = KafkaBroker.uniqueName("rel-g");
            broker.createTopic(source, 6);
            broker.createTopic(target, 6);
            List<String> base = List.of("sink=kafka", "bootstrap=" + bootstrap, "source=" + source, "group=" + group,
                    "target=" + target);
            Child steady = Child.start(env.work, "eos-steady", with(base, "eos=eos-steady"));
            Duration each = Duration.ofSeconds(6);
            List<Child> all = new ArrayList<>(List.of(steady));
            List<String> notes = new ArrayList<>();
            try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap)
                    .kafkaProperty("delivery.timeout.ms", 300_000).kafkaProperty("max.block.ms", 300_000).build())) {
                long span = each.toNanos() * (kills + stormCycles + 2);
                PacedProducer producer = PacedProducer.start(records, 1_000, span,
                        (from, to) -> Numbered.produce(producers, source, from, to));
                // SIGKILLs: the second instance dies mid-transaction and comes back with its transactional id
                Child second = null;
                for (int k = 0; k <= kills; k++) {
                    second = Child.start(env.work, "eos-second-" + k, with(base, "eos=eos-second"));
                    all.add(second);
                    Thread.sleep(each.toMillis());
                    if (k < kills) {
                        second.kill();
                    }
                }
                notes.add(kills + " SIGKILLs (restarted with the same transactional id)");
                // the broker stopped under both instances' open transactions
                broker.stop();
                Thread.sleep(5_000);
                broker.restart();
                notes.add("broker stopped 5 s");
                // the storm: a member per cycle, with an id of its own (a killed one's transaction times out)
                int stormKills = 0;
                for (int c = 0; c < stormCycles; c++) {
                    Child churn = Child.start(env.work, "eos-storm-" + c, with(base, "eos=eos-storm-" + c));
                    all.add(churn);
                    Thread.sleep(each.toMillis());
                    if (c % 2 == 0) {
                        churn.stop();
                    } else {
                        churn.kill();
                        stormKills++;
                    }
                }
                notes.add(stormCycles + " storm joins and leaves (" + stormKills + " SIGKILL)");
                producer.join();
                long deadline = System.nanoTime() + 300_000_000_000L;
                while (!Env.committedToEnd(broker, group, source) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                second.stop();
                steady.stop();
            } finally {
                for (Child c : all) {
                    if (c.isAlive()) {
                        c.kill();
                    }
                }
            }
            long peakHeap = 0;
            for (Child c : all) {
                peakHeap = Math.max(peakHeap, c.peakHeapMb());
            }
            // a SIGKILLed member's open transaction holds read_committed readers back until the coordinator aborts it
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Env.stableToEnd(broker, target) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Numbered.Held committed = Numbered.read(Map.of("bootstrap.servers", bootstrap,
                    "isolation.level", "read_committed"), target);
            Numbered.Held everything = Numbered.read(bootstrap, target);
            notes.add("read_committed: " + committed.copies() + " records for " + committed.distinct() + " numbers; "
                    + (everything.copies() - committed.copies()) + " aborted copies in the log, invisible to it");
            if (committed.duplicates() > 0) {
                throw new IllegalStateException("a read_committed reader saw " + committed.duplicates() + " duplicates: "
                        + String.join("; ", notes));
            }
            return new Result("exactly-once", records, committed.distinct(), committed.lost(records),
                    committed.duplicates(), 0, peakHeap, String.join("; ", notes));
        }
    }

    private static List<String> with(List<String> base, String arg) {
        List<String> args = new ArrayList<>(base);
        args.add(arg);
        return args;
    }
}
