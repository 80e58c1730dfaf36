package io.syncer.examples;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.consume.GroupHealth;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The README's demo: access-log records for many tenants ({@code appid}) on three topics, consumed by
 * one {@link ConsumerGroupManager} feeding a {@link QueueWorker}. Half-way through, one topic grows
 * from 4 to 6 partitions and the second half of the stream is written to all of them: the pipeline
 * picks the new partitions up without a restart. At the end it closes with a drain and checks, with
 * an independent Admin read, that every partition's committed offset equals its log end.
 *
 * <p>Runs on an in-process KRaft broker unless {@code --bootstrap-servers} (or the environment
 * variable {@code SYNCER_KAFKA_BOOTSTRAP_SERVERS}) names a cluster. Prints progress every second and
 * one {@code SUMMARY} line; exits 1 if anything is missing.
 */
public final class QuickstartDemo {
    private static final int TOPICS = 3;
    private static final int PARTITIONS = 4;
    private static final int GROWN_PARTITIONS = 6;
    private static final int BATCH = 2_000;

    private QuickstartDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args {@code [--records N] [--workers N] [--bootstrap-servers host:port]}
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        int records = Integer.parseInt(opts.getOrDefault("records", "200000"));
        int workers = Integer.parseInt(opts.getOrDefault("workers", "8"));
        String bootstrap = opts.getOrDefault("bootstrap-servers", System.getenv("SYNCER_KAFKA_BOOTSTRAP_SERVERS"));

        EmbeddedKafkaBroker embedded = null;
        if (bootstrap == null || bootstrap.isBlank()) {
            System.out.println("starting an in-process KRaft broker (pass --bootstrap-servers to use a cluster)...");
            embedded = EmbeddedKafkaBroker.start();
            bootstrap = embedded.bootstrapServers();
        }
        int code;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            code = run(admin, bootstrap, records, workers);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
        System.exit(code);
    }

    private static int run(Admin admin, String bootstrap, int records, int workers) throws Exception {
        String run = KafkaBroker.uniqueName("access-log");
        List<String> topics = new ArrayList<>();
        List<NewTopic> newTopics = new ArrayList<>();
        for (int t = 0; t < TOPICS; t++) {
            topics.add(run + "-" + (char) ('a' + t));
            newTopics.add(new NewTopic(topics.get(t), PARTITIONS, (short) 1));
        }
        admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);

        Map<String, LongAdder> perTenant = new ConcurrentHashMap<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        LongAdder processed = new LongAdder();
        QueueWorker<String> queue = QueueWorker.create(
                QueueWorkerConfig.builder().name("access-log").workers(workers).build(),
                RecordDecoder.utf8Value(),
                AsyncConsumeWorker.blocking((workerId, line) -> {
                    String appid = field(line, "appid");
                    perTenant.computeIfAbsent(appid, k -> new LongAdder()).increment();
                    seen.add(field(line, "id"));
                    processed.increment();
                }));
        ConsumerGroupConfig config = ConsumerGroupConfig.builder()
                .groupId(run + "-syncer")
                .topicPattern(Pattern.compile(Pattern.quote(run) + "-[a-z]"))
                .bootstrapServers(bootstrap)
                .build();

        long started = System.nanoTime();
        ConsumerGroupManager manager = ConsumerGroupManager.create(config, queue);
        manager.start();
        int produced;
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(bootstrap).kafkaProperty("linger.ms", 20).kafkaProperty("batch.size", 262_144).build())) {
            produced = produce(producers, topics, PARTITIONS, 0, records / 2, manager, processed, started);
            admin.createPartitions(Map.of(topics.get(0), NewPartitions.increaseTo(GROWN_PARTITIONS))).all().get(30, TimeUnit.SECONDS);
            System.out.printf("grew %s from %d to %d partitions while running%n", topics.get(0), PARTITIONS, GROWN_PARTITIONS);
            produced += produce(producers, topics, GROWN_PARTITIONS, records / 2, records, manager, processed, started);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long nextReport = 0;
        while (seen.size() < produced && System.nanoTime() < deadline) {
            if (System.nanoTime() > nextReport) {
                report(manager, processed, produced, started);
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
            Thread.sleep(50);
        }
        manager.close(Duration.ofSeconds(30));
        double seconds = (System.nanoTime() - started) / 1e9;

        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.groupId())
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int t = 0; t < TOPICS; t++) {
            for (int p = 0; p < (t == 0 ? GROWN_PARTITIONS : PARTITIONS); p++) {
                latest.put(new TopicPartition(topics.get(t), p), OffsetSpec.latest());
            }
        }
        int behind = 0;
        for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if ((c == null ? 0 : c.offset()) != e.getValue().offset()) {
                behind++;
            }
        }
        boolean ok = seen.size() == produced && behind == 0;
        System.out.printf("tenants: %d, busiest %s%n", perTenant.size(), busiest(perTenant));
        System.out.printf("SUMMARY %s records=%d processed=%d distinct=%d duplicates=%d partitions=%d "
                        + "partitions_behind=%d duration=%.1fs throughput=%.0f rec/s%n",
                ok ? "OK" : "FAILED", produced, processed.sum(), seen.size(), processed.sum() - seen.size(),
                latest.size(), behind, seconds, seen.size() / seconds);
        return ok ? 0 : 1;
    }

    /**
     * Writes records {@code from..to-1} round-robin over the topics and their partitions (the first
     * topic has {@code firstTopicPartitions}) with synchronous batches.
     */
    private static int produce(KafkaProducers producers, List<String> topics, int firstTopicPartitions, int from, int to,
                               ConsumerGroupManager manager, LongAdder processed, long started) {
        int written = 0;
        long nextReport = System.nanoTime();
        for (int start = from; start < to; start += BATCH) {
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + BATCH); i++) {
                String appid = "app" + (i % 97);
                String line = "{\"id\":\"r" + i + "\",\"appid\":\"" + appid + "\",\"path\":\"/api/v1/items/" + (i % 5000)
                        + "\",\"status\":" + (i % 50 == 0 ? 500 : 200) + ",\"bytes\":" + (i % 9000) + "}";
                int topic = i % topics.size();
                int partition = (i / topics.size()) % (topic == 0 ? firstTopicPartitions : PARTITIONS);
                batch.add(new ProducerRecord<>(topics.get(topic), partition, appid.getBytes(StandardCharsets.UTF_8),
                        line.getBytes(StandardCharsets.UTF_8)));
            }
            for (SendResult r : producers.sendAll(batch)) {
                if (!r.succeeded()) {
                    throw new IllegalStateException("demo producer failed", r.error());
                }
                written++;
            }
            if (System.nanoTime() > nextReport) {
                report(manager, processed, from + written, started);
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
        }
        return written;
    }

    private static void report(ConsumerGroupManager manager, LongAdder processed, long produced, long started) {
        GroupHealth h = manager.health();
        double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
        System.out.printf("%6.1fs  produced %8d  processed %8d (%7.0f rec/s)  queued %5d  partitions %2d  paused %d  %s%n",
                seconds, produced, processed.sum(), processed.sum() / seconds, h.queuedRecords(), h.assignment().size(),
                h.pausedPartitions().size(), h.state());
    }

    private static String busiest(Map<String, LongAdder> perTenant) {
        return perTenant.entrySet().stream().max((a, b) -> Long.compare(a.getValue().sum(), b.getValue().sum()))
                .map(e -> e.getKey() + "=" + e.getValue().sum()).orElse("-");
    }

    /** Reads a string field of the flat JSON line (the demo's own format). */
    static String field(String line, String name) {
        String marker = "\"" + name + "\":\"";
        int start = line.indexOf(marker);
        if (start < 0) {
            throw new IllegalArgumentException("no field " + name + " in " + line);
        }
        start += marker.length();
        return line.substring(start, line.indexOf('"', start));
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: [--records N] [--workers N] [--bootstrap-servers host:port]");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }
}
