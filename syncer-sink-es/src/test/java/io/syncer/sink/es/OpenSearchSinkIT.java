package io.syncer.sink.es;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.test.KafkaBroker;
import io.syncer.test.OpenSearchNode;
import io.syncer.test.WithKafka;
import io.syncer.test.WithOpenSearch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.HttpHost;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * Kafka to a real OpenSearch node (a child process, see {@link OpenSearchNode}) through a pipeline
 * routing access logs to one index per tenant. Every result is read back independently: document
 * counts with raw HTTP {@code _count}, dead letters with a separate consumer, offsets with Admin.
 */
@WithKafka
@WithOpenSearch
@Timeout(240)
class OpenSearchSinkIT {
    private static final int PARTITIONS = 3;
    private static final int PER_TENANT = 1_000;
    private static final List<String> TENANTS = List.of("a", "b", "c");
    /** Records whose {@code bytes} is text where the index maps a long: OpenSearch rejects them. */
    private static final int BAD = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static OpenSearchTransport transport;
    private static OpenSearchAsyncClient client;

    /** The decoded item: {@code bytes} stays untyped so a bad value reaches OpenSearch. */
    record AccessLog(String tenant, String path, Object bytes) {
    }

    @BeforeAll
    static void client(OpenSearchNode node) {
        transport = ApacheHttpClient5TransportBuilder.builder(new HttpHost("http", "127.0.0.1", node.httpPort()))
                .setMapper(new JacksonJsonpMapper()).build();
        client = new OpenSearchAsyncClient(transport);
    }

    @AfterAll
    static void close() throws IOException {
        transport.close();
    }

    @Test
    void indexesPerTenantDeadLettersRejectedDocumentsAndRedeliveryAddsNoDuplicates(KafkaBroker broker, OpenSearchNode node)
            throws Exception {
        String topic = KafkaBroker.uniqueName("access");
        String dlt = topic + ".dlt";
        String prefix = topic.toLowerCase() + "-";
        broker.createTopic(topic, PARTITIONS);
        broker.createTopic(dlt, 1);
        for (String tenant : TENANTS) {
            // explicit mapping, created here and not by the sink: bytes is a long
            http(node, "PUT", "/" + prefix + tenant, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
                    + "\"mappings\":{\"properties\":{\"tenant\":{\"type\":\"keyword\"},\"path\":{\"type\":\"keyword\"},"
                    + "\"bytes\":{\"type\":\"long\"}}}}");
        }
        produce(broker, topic);

        runPipeline(broker, KafkaBroker.uniqueName("g-es"), topic, dlt, prefix);
        http(node, "POST", "/" + prefix + "*/_refresh", null);
        for (String tenant : TENANTS) {
            // the rejected records were extra ones for tenant a: every index holds exactly its good documents
            assertEquals(PER_TENANT, count(node, prefix + tenant), "documents in index " + prefix + tenant);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(dlt, BAD, Duration.ofSeconds(20));
        assertEquals(BAD, dead.size(), "every rejected document dead-lettered, nothing else");
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String message = KafkaBroker.header(r, DeadLetterHeaders.EXCEPTION_MESSAGE);
            assertTrue(message.contains("mapper_parsing_exception"), message);
            assertTrue(new String(r.value(), StandardCharsets.UTF_8).contains("\"lots\""), "the original value is kept");
            assertEquals("fatal", KafkaBroker.header(r, DeadLetterHeaders.REASON));
        }

        // the same records again, as after a crash before the commit: ids are the coordinates, so no duplicates
        runPipeline(broker, KafkaBroker.uniqueName("g-es-again"), topic, dlt, prefix);
        http(node, "POST", "/" + prefix + "*/_refresh", null);
        for (String tenant : TENANTS) {
            assertEquals(PER_TENANT, count(node, prefix + tenant), "re-delivery overwrote, index " + prefix + tenant);
        }
    }

    /**
     * A write-blocked index answers every document with 429 (the flood-stage block OpenSearch sets
     * when a disk fills): the sink retries, nothing is dead-lettered or committed, and once the block
     * is lifted every document arrives.
     */
    @Test
    void rejectedWithTooManyRequestsRetriesUntilTheBlockIsLifted(KafkaBroker broker, OpenSearchNode node) throws Exception {
        runAgainstABlockedIndex(broker, node, "index.blocks.read_only_allow_delete", "blocked", syncer -> { });
    }

    /**
     * A write block ({@code index.blocks.write}) answers every document with 403 {@code cluster_block_exception}: the
     * index's fault, not the documents'. Before, each was dead-lettered and committed; now the index's records are
     * held and probed, health names the index, and once the block is lifted every document arrives.
     */
    @Test
    void aForbiddenIndexHoldsItsRecordsWithoutDeadLettersUntilWritable(KafkaBroker broker, OpenSearchNode node)
            throws Exception {
        runAgainstABlockedIndex(broker, node, "index.blocks.write", "forbidden", syncer -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> syncer.health().sinkOutages().keySet().stream()
                    .anyMatch(k -> k.startsWith("es/")));
            assertEquals(io.syncer.consume.ManagerState.DEGRADED, syncer.health().state());
            assertTrue(syncer.health().sinkOutages().values().iterator().next().reason().contains("cluster_block_exception"),
                    syncer.health().sinkOutages().toString());
        });
    }

    /**
     * Produces 300 records, runs a pipeline into an index blocked by {@code blockSetting}, checks that nothing is
     * written or committed while it is blocked ({@code whileBlocked} checks more), lifts the block, and checks that
     * every document arrived and nothing was dead-lettered.
     */
    private void runAgainstABlockedIndex(KafkaBroker broker, OpenSearchNode node, String blockSetting, String name,
                                         java.util.function.Consumer<Syncer> whileBlocked) throws Exception {
        String topic = KafkaBroker.uniqueName(name);
        String dlt = topic + ".dlt";
        String index = topic.toLowerCase();
        String group = KafkaBroker.uniqueName("g-es-" + name);
        broker.createTopic(topic, PARTITIONS);
        broker.createTopic(dlt, 1);
        http(node, "PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}");
        http(node, "PUT", "/" + index + "/_settings", "{\"" + blockSetting + "\":true}");
        int total = 300;
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null,
                        JSON.writeValueAsBytes(Map.of("tenant", "a", "path", "/p/" + i, "bytes", i))));
            }
        }
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(broker.bootstrapServers()).build())) {
            Syncer syncer = Syncer.builder(RecordDecoder.json(AccessLog.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                            .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200)).build())
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED)
                            .retryPolicy(io.syncer.failure.RetryPolicy.builder().maxAttempts(Integer.MAX_VALUE)
                                    .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).build())
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build())
                    .sink(OpenSearchSink.<AccessLog>builder("es", client).index(index)
                            .batchPolicy(io.syncer.sink.BatchPolicy.builder().unavailableBackoff(Duration.ofMillis(200),
                                    Duration.ofSeconds(1)).build()).build())
                    .build();
            syncer.start();
            try {
                Thread.sleep(3_000); // several rounds of refusals
                whileBlocked.accept(syncer);
                http(node, "POST", "/" + index + "/_refresh", null);
                assertEquals(0, count(node, index), "the block held: nothing was written");
                assertEquals(0L, broker.committedOffsets(group).values().stream().mapToLong(Long::longValue).sum(),
                        "nothing committed while the documents were refused");
                http(node, "PUT", "/" + index + "/_settings", "{\"" + blockSetting + "\":null}");
                Map<TopicPartition, Long> end = broker.endOffsets(topic);
                await().atMost(Duration.ofSeconds(60)).until(() -> end.equals(broker.committedOffsets(group)));
            } finally {
                syncer.close(Duration.ofSeconds(30));
            }
        }
        http(node, "POST", "/" + index + "/_refresh", null);
        assertEquals(total, count(node, index), "every document written once the block was lifted");
        assertEquals(0, broker.readAll(dlt, 0, Duration.ofSeconds(20)).size(), "a refused document is never dead-lettered");
    }

    /** Runs a pipeline until the group has committed every record of the topic, then closes it. */
    private static void runPipeline(KafkaBroker broker, String group, String topic, String dlt, String prefix) throws Exception {
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                .bootstrapServers(broker.bootstrapServers()).build())) {
            Syncer syncer = Syncer.builder(RecordDecoder.json(AccessLog.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                            .kafkaProperties(broker.clientProperties()).commitInterval(Duration.ofMillis(200)).build())
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED)
                            .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt)).build())
                    .sink(OpenSearchSink.<AccessLog>builder("es", client).build())
                    .router((log, record) -> List.of(Route.to("es", prefix + log.tenant())))
                    .build();
            syncer.start();
            try {
                Map<TopicPartition, Long> end = broker.endOffsets(topic);
                await().atMost(Duration.ofSeconds(120)).until(() -> end.equals(broker.committedOffsets(group)));
            } finally {
                syncer.close(Duration.ofSeconds(30));
            }
        }
    }

    private static void produce(KafkaBroker broker, String topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            int n = 0;
            for (int i = 0; i < PER_TENANT; i++) {
                for (String tenant : TENANTS) {
                    Map<String, Object> log = Map.of("tenant", tenant, "path", "/p/" + i, "bytes", i);
                    producer.send(new ProducerRecord<>(topic, n++ % PARTITIONS, null, JSON.writeValueAsBytes(log)));
                }
                if (i % (PER_TENANT / BAD) == 0 && i / (PER_TENANT / BAD) < BAD) {
                    Map<String, Object> bad = Map.of("tenant", "a", "path", "/bad/" + i, "bytes", "lots");
                    producer.send(new ProducerRecord<>(topic, n++ % PARTITIONS, null, JSON.writeValueAsBytes(bad)));
                }
            }
            producer.flush();
        }
    }

    private static long count(OpenSearchNode node, String index) throws Exception {
        JsonNode body = JSON.readTree(http(node, "GET", "/" + index + "/_count", null));
        return body.get("count").asLong();
    }

    /** A raw HTTP call, independent of the client under test; fails on any non-2xx status. */
    private static String http(OpenSearchNode node, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
