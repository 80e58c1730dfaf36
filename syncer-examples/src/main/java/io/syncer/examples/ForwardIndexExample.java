package io.syncer.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.KafkaBroker;
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
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The forward-index pipeline of the second design note: while building an index, a producer pushes
 * each document to Kafka ({@link KafkaProducers#send} for single documents, {@link KafkaProducers#sendAll}
 * for batches), and a consumer group stores them, here with the custom {@link FileStoreSink}
 * sharded by document id.
 *
 * <p>Runs on an in-process KRaft broker unless {@code --bootstrap-servers} names a cluster.
 */
public final class ForwardIndexExample {
    static final int SHARDS = 4;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ForwardIndexExample() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--documents N] [--dir path] [--bootstrap-servers host:port]}
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Args.parse(args, "[--documents N] [--dir path] [--bootstrap-servers host:port]");
        int documents = Integer.parseInt(opts.getOrDefault("documents", "10000"));
        Path dir = Path.of(opts.getOrDefault("dir", Files.createTempDirectory("forward-index").toString()));
        String bootstrap = opts.get("bootstrap-servers");
        EmbeddedKafkaBroker embedded = null;
        if (bootstrap == null) {
            embedded = EmbeddedKafkaBroker.start();
            bootstrap = embedded.bootstrapServers();
        }
        int stored;
        try {
            stored = run(bootstrap, documents, dir);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
        System.out.printf("SUMMARY %s documents=%d stored=%d dir=%s%n", stored == documents ? "OK" : "FAILED",
                documents, stored, dir);
        System.exit(stored == documents ? 0 : 1);
    }

    /** Pushes {@code documents} documents and stores them under {@code dir}; returns the distinct ids stored. */
    static int run(String bootstrap, int documents, Path dir) throws Exception {
        String topic = KafkaBroker.uniqueName("forward-index");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
             KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap).build())) {
            KafkaBroker.createTopic(admin, topic, 3);

            // the indexing side: the first documents one by one, the rest in batches
            int single = Math.min(documents, 100);
            for (int i = 0; i < single; i++) {
                producers.send(topic, key(i), json(i));
            }
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = single; i < documents; i++) {
                batch.add(new ProducerRecord<>(topic, key(i), json(i)));
                if (batch.size() == 1_000 || i == documents - 1) {
                    for (SendResult r : producers.sendAll(batch)) {
                        if (!r.succeeded()) {
                            throw new IllegalStateException("push failed", r.error());
                        }
                    }
                    batch.clear();
                }
            }

            // the storing side
            Syncer syncer = Syncer.builder(RecordDecoder.json(Document.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(topic + "-store").topics(topic).bootstrapServers(bootstrap).build())
                    .sink(new FileStoreSink<>(dir))
                    .router((doc, record) -> List.of(Route.to("file-store", "shard-" + Math.floorMod(doc.docId, SHARDS))))
                    .build();
            syncer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int stored = 0;
            while (System.nanoTime() < deadline && (stored = storedIds(dir).size()) < documents) {
                Thread.sleep(200);
            }
            syncer.close(Duration.ofSeconds(30));
            return storedIds(dir).size();
        }
    }

    /** Distinct document ids in the shard files (an independent read of what the sink wrote). */
    static Set<Long> storedIds(Path dir) throws Exception {
        Set<Long> ids = new HashSet<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        ids.add(MAPPER.readTree(line).get("doc").get("docId").asLong());
                    }
                }
            }
        }
        return ids;
    }

    private static byte[] key(long id) {
        return Long.toString(id).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(long id) throws Exception {
        Document d = new Document();
        d.docId = id;
        d.title = "Document " + id;
        d.body = "Body of document " + id + " with some words to index";
        d.url = "https://example.invalid/docs/" + id;
        return MAPPER.writeValueAsBytes(d);
    }
}
