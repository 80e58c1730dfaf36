package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.test.KafkaBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Scenario 1: the pipeline in a child JVM SIGKILLed at random moments and restarted each time, through the Kafka
 * sink or the OpenSearch sink. Every record produced must be in the target at the end; duplicates (at least once:
 * what was written but not yet committed at the kill) are counted for Kafka and overwritten by id in OpenSearch.
 */
final class CrashScenario {
    private CrashScenario() {
    }

    static Result run(Env env, String sink, int records, int kills) throws Exception {
        String name = "kill-" + sink;
        String source = KafkaBroker.uniqueName("rel-src");
        String target = KafkaBroker.uniqueName("rel-out").toLowerCase();
        String group = KafkaBroker.uniqueName("rel-g");
        String bootstrap = env.broker.bootstrapServers();
        env.broker.createTopic(source, 6);
        String url = null;
        if (sink.equals("kafka")) {
            env.broker.createTopic(target, 6);
        } else {
            url = env.openSearch().url();
            Http.send("PUT", url + "/" + target, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
                    + "\"refresh_interval\":\"1s\"}}");
        }
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap)
                .kafkaProperty("linger.ms", 20).kafkaProperty("batch.size", 262_144).build())) {
            Numbered.produce(producers, source, 0, records);
        }
        List<String> args = new ArrayList<>(List.of("sink=" + sink, "bootstrap=" + bootstrap, "source=" + source,
                "group=" + group, "target=" + target));
        if (url != null) {
            args.add("url=" + url);
        }
        String osUrl = url;
        SplittableRandom random = new SplittableRandom(records * 31L + kills);
        long peakHeap = 0;
        double worstRecovery = 0;
        List<String> killedAt = new ArrayList<>();
        for (int k = 0; k <= kills; k++) {
            long before = delivered(env, sink, target, osUrl);
            long started = System.nanoTime();
            Child child = Child.start(env.work, name + "-" + k, args);
            // recovery: from the start of a new pipeline after a kill to its first delivered record
            while (delivered(env, sink, target, osUrl) <= before && System.nanoTime() - started < 120e9) {
                Thread.sleep(sink.equals("kafka") ? 50 : 250);
            }
            worstRecovery = Math.max(worstRecovery, (System.nanoTime() - started) / 1e9);
            if (k < kills) {
                // kill somewhere in this run's share of the records, at a random point
                long share = records / (kills + 1);
                long at = Math.min(records - 1, k * share + share / 4 + random.nextLong(Math.max(1, share / 2)));
                while (delivered(env, sink, target, osUrl) < at && child.isAlive()) {
                    Thread.sleep(sink.equals("kafka") ? 20 : 250); // an OpenSearch count refreshes the index
                }
                child.kill();
                killedAt.add(Long.toString(delivered(env, sink, target, osUrl)));
            } else {
                long deadline = System.nanoTime() + 300_000_000_000L;
                while (!Env.committedToEnd(env.broker, group, source) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                child.stop();
            }
            peakHeap = Math.max(peakHeap, child.peakHeapMb());
        }
        if (sink.equals("kafka")) {
            Numbered.Held held = Numbered.read(bootstrap, target);
            long lost = held.lost(records);
            return new Result(name, records, held.distinct(), lost, held.duplicates(), worstRecovery, peakHeap,
                    kills + " SIGKILLs, target at " + String.join("/", killedAt) + "; duplicates are records written but"
                            + " not committed at a kill");
        }
        long count = Http.openSearchCount(osUrl, target);
        return new Result(name, records, count, records - count, 0, worstRecovery, peakHeap,
                kills + " SIGKILLs, index at " + String.join("/", killedAt) + "; re-deliveries overwrite by id (_count counts"
                        + " distinct records)");
    }

    private static long delivered(Env env, String sink, String target, String url) throws Exception {
        return sink.equals("kafka") ? Env.logEnd(env.broker, target) : Math.max(0, Http.openSearchCount(url, target));
    }
}
