package io.syncer.examples;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.PartitionStatus;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The README's demo, the access-log pipeline of the service syncer replaces: JSON access logs of
 * many tenants ({@code appid}) are forwarded to an AI-analysis topic, bot traffic also to a bot
 * topic, and records of unknown tenants go to a dead-letter topic with the reason.
 *
 * <p>Runs on an in-process KRaft broker unless {@code --bootstrap-servers} (or
 * {@code SYNCER_KAFKA_BOOTSTRAP_SERVERS}) names a cluster. Prints progress every second (records/s,
 * lag, per-topic counts read from the broker) and one {@code SUMMARY} line checked against the
 * expected counts; exits 1 if they differ.
 */
public final class AccessLogDemo {
    static final int PARTITIONS = 6;
    /** Tenants app0..app96 are known; one record in 500 comes from a tenant that is not. */
    static final int KNOWN_TENANTS = 97;

    private AccessLogDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args {@code [--records N] [--workers N] [--bootstrap-servers host:port]}
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Args.parse(args, "[--records N] [--workers N] [--bootstrap-servers host:port]");
        int records = Integer.parseInt(opts.getOrDefault("records", "200000"));
        int workers = Integer.parseInt(opts.getOrDefault("workers", "8"));
        String bootstrap = opts.getOrDefault("bootstrap-servers", System.getenv("SYNCER_KAFKA_BOOTSTRAP_SERVERS"));
        EmbeddedKafkaBroker embedded = null;
        if (bootstrap == null || bootstrap.isBlank()) {
            System.out.println("starting an in-process KRaft broker (pass --bootstrap-servers to use a cluster)...");
            embedded = EmbeddedKafkaBroker.start();
            bootstrap = embedded.bootstrapServers();
        }
        Summary summary;
        try {
            summary = run(bootstrap, records, workers, true);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
        System.exit(summary.ok() ? 0 : 1);
    }

    /** What the run produced, read back from the broker. */
    record Summary(boolean ok, long in, long ai, long bot, long deadLettered, long expectedAi, long expectedBot,
                   long expectedDead, int partitionsBehind, double seconds) {
    }

    static Summary run(String bootstrap, int records, int workers, boolean progress) throws Exception {
        String run = KafkaBroker.uniqueName("access-log");
        String source = run;
        String ai = run + ".ai";
        String bot = run + ".bot";
        String dlt = run + ".dlt";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
             KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap)
                     .kafkaProperty("linger.ms", 20).kafkaProperty("batch.size", 262_144).build());
             // dead letters of one key are written one after another (order kept): no linger for them
             KafkaProducers deadLetters = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap)
                     .kafkaProperty("linger.ms", 0).build())) {
            // created and waited for until every leader serves: producing at once could otherwise fail
            KafkaBroker.createTopic(admin, source, PARTITIONS);
            KafkaBroker.createTopic(admin, ai, 3);
            KafkaBroker.createTopic(admin, bot, 1);
            KafkaBroker.createTopic(admin, dlt, 1);
            Set<String> tenants = IntStream.range(0, KNOWN_TENANTS).mapToObj(i -> "app" + i).collect(Collectors.toSet());

            Syncer syncer = Syncer.builder(RecordDecoder.json(AccessLog.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(run + "-syncer").topics(source).bootstrapServers(bootstrap).build())
                    // Forwarding access logs needs no per-tenant order, and KEY order would hold each tenant
                    // to one record per sink round trip; UNORDERED lets a sink batch carry many of them.
                    .worker(QueueWorkerConfig.builder().name("access-log").workers(workers)
                            .ordering(OrderingMode.UNORDERED).maxInFlight(4_096)
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(deadLetters, dlt)).build())
                    .sink(KafkaSink.<AccessLog>builder("ai", producers).topic(ai).build())
                    .sink(KafkaSink.<AccessLog>builder("bot", producers).topic(bot).build())
                    .router((log, record) -> !tenants.contains(log.appid) ? List.of()
                            : log.bot ? List.of(Route.to("ai"), Route.to("bot")) : List.of(Route.to("ai")))
                    .build();
            long started = System.nanoTime();
            syncer.start();
            long[] expected = produce(producers, source, records);
            long nextReport = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            Counts counts = counts(admin, ai, bot, dlt);
            while (counts.ai + counts.dead < records && System.nanoTime() < deadline) {
                if (progress && System.nanoTime() > nextReport) {
                    report(syncer.health(), counts, records, started);
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
                Thread.sleep(100);
                counts = counts(admin, ai, bot, dlt);
            }
            syncer.close(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - started) / 1e9;
            counts = counts(admin, ai, bot, dlt);
            int behind = partitionsBehind(admin, run + "-syncer", source);
            boolean ok = counts.ai == expected[0] && counts.bot == expected[1] && counts.dead == expected[2] && behind == 0;
            Summary s = new Summary(ok, records, counts.ai, counts.bot, counts.dead, expected[0], expected[1], expected[2],
                    behind, seconds);
            if (progress) {
                report(syncer.health(), counts, records, started);
            }
            System.out.printf("SUMMARY %s records_in=%d forwarded_ai=%d forwarded_bot=%d dead_lettered=%d "
                            + "(expected %d/%d/%d) partitions_behind=%d duration=%.1fs throughput=%.0f rec/s%n",
                    ok ? "OK" : "FAILED", records, counts.ai, counts.bot, counts.dead, expected[0], expected[1], expected[2],
                    behind, seconds, records / seconds);
            return s;
        }
    }

    /** Writes the access logs; returns the expected counts {ai, bot, dead}. */
    private static long[] produce(KafkaProducers producers, String topic, int records) {
        long ai = 0;
        long bot = 0;
        long dead = 0;
        for (int start = 0; start < records; start += 2_000) {
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(records, start + 2_000); i++) {
                String appid = i % 500 == 250 ? "app-unknown" : "app" + (i % KNOWN_TENANTS);
                boolean isBot = i % 10 == 0;
                if (appid.equals("app-unknown")) {
                    dead++;
                } else {
                    ai++;
                    bot += isBot ? 1 : 0;
                }
                String json = "{\"id\":\"r" + i + "\",\"appid\":\"" + appid + "\",\"path\":\"/api/items/" + (i % 5000)
                        + "\",\"status\":" + (i % 50 == 0 ? 500 : 200) + ",\"bytes\":" + (i % 9000) + ",\"bot\":" + isBot + "}";
                batch.add(new ProducerRecord<>(topic, appid.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
            }
            for (SendResult r : producers.sendAll(batch)) {
                if (!r.succeeded()) {
                    throw new IllegalStateException("demo producer failed", r.error());
                }
            }
        }
        return new long[] {ai, bot, dead};
    }

    private record Counts(long ai, long bot, long dead) {
    }

    private static Counts counts(Admin admin, String ai, String bot, String dlt) throws Exception {
        return new Counts(end(admin, ai, 3), end(admin, bot, 1), end(admin, dlt, 1));
    }

    private static long end(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
    }

    private static int partitionsBehind(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        int behind = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
            OffsetAndMetadata c = committed.get(tp);
            if ((c == null ? 0 : c.offset()) != end) {
                behind++;
            }
        }
        return behind;
    }

    private static void report(GroupHealth h, Counts counts, long records, long started) {
        double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
        long done = counts.ai + counts.dead;
        long lag = h.partitions().values().stream().mapToLong(PartitionStatus::lag).sum();
        System.out.printf("%6.1fs  in %8d  done %8d (%7.0f rec/s)  lag %7d  ai %8d  bot %7d  dead-lettered %5d  queued %5d  %s%n",
                seconds, records, done, done / seconds, lag, counts.ai, counts.bot, counts.dead, h.queuedRecords(), h.state());
    }
}
