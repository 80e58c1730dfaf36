package io.syncer.benchmarks;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.es.OpenSearchSink;
import io.syncer.test.KafkaBroker;
import io.syncer.test.OpenSearchNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.HttpHost;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * P11 (issue 14, target 5): Kafka to OpenSearch. A hand-written loop (poll, parse each JSON value, one
 * {@code opensearch-java} {@code _bulk} of the same batch size with the same document ids, then
 * {@code commitSync}) vs a pipeline with {@link OpenSearchSink}, against the same real node in a child process
 * (its CPU is not this JVM's). Each side writes its own index; both are counted by raw HTTP {@code _count}.
 */
final class OpenSearchScenario {
    private static final int PARTITIONS = 6;
    private static final int BATCH = 1_000;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final BenchmarkSuite suite;

    OpenSearchScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 10_000 : 60_000;
        String topic = KafkaBroker.uniqueName("p11");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        suite.produceJson(topic, records, BenchmarkSuite::accessLog);
        try (OpenSearchNode node = OpenSearchNode.start()) {
            URI url = URI.create(node.url());
            try (OpenSearchTransport transport = ApacheHttpClient5TransportBuilder
                    .builder(new HttpHost(url.getScheme(), url.getHost(), url.getPort()))
                    .setMapper(new JacksonJsonpMapper()).build()) {
                suite.compare("P11 OpenSearch _bulk of " + BATCH, records, "hand loop: poll, parse, bulk " + BATCH + ", commitSync",
                        () -> handLoop(new OpenSearchClient(transport), node.url(), topic, records),
                        "syncer-sink-es", () -> pipeline(new OpenSearchAsyncClient(transport), node.url(), topic, records));
            }
        }
    }

    private long handLoop(OpenSearchClient client, String url, String topic, int records) throws Exception {
        String index = KafkaBroker.uniqueName("p11-bare").toLowerCase();
        long indexed = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(suite.consumerProps(KafkaBroker.uniqueName("p11-bare")))) {
            c.subscribe(List.of(topic));
            List<BulkOperation> batch = new ArrayList<>(BATCH);
            while (indexed < records) {
                ConsumerRecords<byte[], byte[]> polled = c.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    Map<?, ?> doc = JSON.readValue(r.value(), Map.class);
                    String id = r.topic() + "-" + r.partition() + "-" + r.offset();
                    batch.add(BulkOperation.of(b -> b.index(i -> i.index(index).id(id).document(doc))));
                    if (batch.size() == BATCH) {
                        indexed += bulk(client, batch);
                    }
                }
                if (!batch.isEmpty() && (polled.isEmpty() || indexed + batch.size() >= records)) {
                    indexed += bulk(client, batch);
                }
                c.commitSync();
            }
        }
        long n = count(url, index);
        if (n != records) {
            throw new IllegalStateException("P11 baseline: the index holds " + n + " of " + records);
        }
        return indexed;
    }

    private static int bulk(OpenSearchClient client, List<BulkOperation> batch) throws Exception {
        BulkResponse response = client.bulk(BulkRequest.of(b -> b.operations(batch)));
        if (response.errors()) {
            throw new IllegalStateException("P11 baseline: a bulk item failed: " + response.items().stream()
                    .filter(i -> i.error() != null).findFirst().map(i -> i.error().reason()).orElse("?"));
        }
        int n = batch.size();
        batch.clear();
        return n;
    }

    private long pipeline(OpenSearchAsyncClient client, String url, String topic, int records) throws Exception {
        String index = KafkaBroker.uniqueName("p11-syncer").toLowerCase();
        java.util.concurrent.atomic.LongAdder processed = new java.util.concurrent.atomic.LongAdder();
        io.syncer.metrics.SyncerMetrics metrics = new io.syncer.metrics.SyncerMetrics() {
            @Override
            public void recordProcessed(String group, org.apache.kafka.common.TopicPartition partition) {
                processed.increment();
            }
        };
        Syncer syncer = Syncer.builder(RecordDecoder.json(Map.class))
                .consumer(ConsumerGroupConfig.builder().groupId(KafkaBroker.uniqueName("p11-syncer")).topics(topic)
                        .bootstrapServers(suite.bootstrap).build())
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                .sink(OpenSearchSink.<Map>builder("es", client).index(index)
                        .batchPolicy(BatchPolicy.builder().maxRecords(BATCH).linger(Duration.ofMillis(50)).maxInFlight(2).build())
                        .build())
                .metrics(metrics)
                .build();
        syncer.start();
        try {
            // processed: every sink the record went to confirmed it (the baseline's end is its last bulk's answer)
            long deadline = System.nanoTime() + Duration.ofSeconds(600).toNanos();
            while (processed.sum() < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("P11 syncer: " + processed + " of " + records + " in 600 s: " + syncer.health());
                }
                Thread.sleep(5);
            }
        } finally {
            syncer.close(Duration.ofSeconds(30));
        }
        long n = count(url, index);
        if (n != records) {
            throw new IllegalStateException("P11 syncer: the index holds " + n + " of " + records);
        }
        return n;
    }

    /** Documents in {@code index} after a refresh, by raw HTTP: an independent read. */
    private static long count(String url, String index) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        String body = http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_count")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(body).path("count").asLong(-1);
    }
}
