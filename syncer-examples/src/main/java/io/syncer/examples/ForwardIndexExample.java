package io.syncer.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.KafkaBroker;
import io.syncer.test.OpenSearchNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.HttpHost;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * The forward-index pipeline of the second design note: while an index is built, a producer pushes
 * each document to Kafka ({@link KafkaProducers#send} for single documents, {@link KafkaProducers#sendAll}
 * for batches, and some documents a second time as updates), and a consumer group stores them in
 * OpenSearch through {@link ForwardIndexHandler}, the sarama {@code ConsumerGroupHandler} port.
 * Document ids are the OpenSearch ids, so the store holds each document once; the example checks
 * that with {@code _count} over raw HTTP.
 *
 * <p>Runs on an in-process KRaft broker and an OpenSearch child process unless
 * {@code --bootstrap-servers} and {@code --opensearch-url} name existing ones.
 */
public final class ForwardIndexExample {
    /** Documents pushed a second time (an update pass): the store must still hold each once. */
    static final int UPDATED = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ForwardIndexExample() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--documents N] [--bootstrap-servers host:port] [--opensearch-url URL]}
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Args.parse(args, "[--documents N] [--bootstrap-servers host:port] [--opensearch-url URL]");
        int documents = Integer.parseInt(opts.getOrDefault("documents", "10000"));
        String bootstrap = opts.get("bootstrap-servers");
        String url = opts.get("opensearch-url");
        long stored;
        try (EmbeddedKafkaBroker broker = bootstrap == null ? EmbeddedKafkaBroker.start() : null;
             OpenSearchNode node = url == null ? OpenSearchNode.start() : null) {
            stored = run(broker != null ? broker.bootstrapServers() : bootstrap, node != null ? node.url() : url, documents);
        }
        System.out.printf("SUMMARY %s documents=%d stored=%d (pushed %d, %d of them twice)%n",
                stored == documents ? "OK" : "FAILED", documents, stored, documents + Math.min(UPDATED, documents),
                Math.min(UPDATED, documents));
        if (stored != documents) {
            throw new IllegalStateException("the index holds " + stored + " documents, not " + documents);
        }
        // no System.exit: every thread the example started is stopped, so the JVM ends on its own (exit 0)
    }

    /**
     * Pushes {@code documents} documents (the first {@value #UPDATED} twice) and stores them in an index of their own.
     *
     * @return the documents in the index, by {@code _count} over raw HTTP
     */
    static long run(String bootstrap, String openSearchUrl, int documents) throws Exception {
        String topic = KafkaBroker.uniqueName("forward-index");
        String index = topic.toLowerCase();
        URI os = URI.create(openSearchUrl);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
             KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap).build());
             OpenSearchTransport transport = ApacheHttpClient5TransportBuilder
                     .builder(new HttpHost(os.getScheme(), os.getHost(), os.getPort()))
                     .setMapper(new JacksonJsonpMapper()).build()) {
            KafkaBroker.createTopic(admin, topic, 3);

            // the indexing side: the first documents one by one, the rest in batches, then an update pass
            int single = Math.min(documents, 100);
            for (int i = 0; i < single; i++) {
                producers.send(topic, key(i), json(i, 1));
            }
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = single; i < documents; i++) {
                batch.add(new ProducerRecord<>(topic, key(i), json(i, 1)));
                if (batch.size() == 1_000 || i == documents - 1) {
                    sendAll(producers, batch);
                }
            }
            for (int i = 0; i < Math.min(UPDATED, documents); i++) {
                batch.add(new ProducerRecord<>(topic, key(i), json(i, 2)));
            }
            sendAll(producers, batch);

            // the storing side: the sarama handler, ported
            ConsumerGroupManager manager = ConsumerGroupManager.create(ConsumerGroupConfig.builder().groupId(topic + "-store")
                    .topics(topic).bootstrapServers(bootstrap).build(), new ForwardIndexHandler(new OpenSearchClient(transport), index));
            manager.start();
            try {
                if (!manager.awaitCaughtUp(Duration.ofSeconds(120))) {
                    throw new IllegalStateException("the store did not catch up in 120 s: " + manager.health());
                }
            } finally {
                manager.close(Duration.ofSeconds(30));
            }
            return count(openSearchUrl, index);
        }
    }

    private static void sendAll(KafkaProducers producers, List<ProducerRecord<byte[], byte[]>> batch) {
        for (SendResult r : producers.sendAll(batch)) {
            if (!r.succeeded()) {
                throw new IllegalStateException("push failed", r.error());
            }
        }
        batch.clear();
    }

    /** {@code _count} of the index over raw HTTP, after a refresh: an independent read of what the handler stored. */
    static long count(String url, String index) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_count"))
                .timeout(Duration.ofSeconds(TimeUnit.MINUTES.toSeconds(1))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("_count answered " + r.statusCode() + ": " + r.body());
        }
        return MAPPER.readTree(r.body()).get("count").asLong();
    }

    private static byte[] key(long id) {
        return Long.toString(id).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(long id, int version) throws Exception {
        Document d = new Document();
        d.docId = id;
        d.title = "Document " + id + (version > 1 ? " (v" + version + ")" : "");
        d.body = "Body of document " + id + " with some words to index";
        d.url = "https://example.invalid/docs/" + id;
        return MAPPER.writeValueAsBytes(d);
    }
}
