package io.syncer.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.test.ClickHouseServer;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.ClsLog;
import io.syncer.test.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads what each sink stored, independently of syncer: a plain Kafka consumer and Admin log ends
 * for the topics, {@code _count} over raw HTTP for OpenSearch, a raw HTTP {@code count()} for
 * ClickHouse, the local endpoint's store for CLS. Counts distinct request ids per tenant (what was
 * delivered) and raw copies (what a retry may have written twice).
 */
final class SinkReadBack {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SinkReadBack() {
    }

    /**
     * What one sink holds.
     *
     * @param sink the sink's name
     * @param distinctByTenant distinct request ids per tenant
     * @param raw copies stored (a duplicate counts twice)
     * @param byIndex for OpenSearch, documents per index (empty for the other sinks)
     */
    record Stored(String sink, Map<String, Long> distinctByTenant, long raw, Map<String, Long> byIndex) {
        Stored(String sink, Map<String, Long> distinctByTenant, long raw) {
            this(sink, distinctByTenant, raw, Map.of());
        }

        long distinct() {
            return distinctByTenant.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The dead letters.
     *
     * @param count records in the dead-letter topic
     * @param byReason counts by the {@value DeadLetterHeaders#REASON} header and exception class
     * @param withoutReason records that carry no reason header (must be 0)
     */
    record DeadLetters(long count, Map<String, Long> byReason, long withoutReason) {
    }

    /** Reads a topic from its beginning to its log end as of now; counts distinct ids (the JSON value's {@code id}) per record key. */
    static Stored topic(String sink, String bootstrap, String topic) {
        Map<String, Set<String>> ids = new TreeMap<>();
        long raw = readToEnd(bootstrap, topic, r -> {
            String tenant = new String(r.key(), StandardCharsets.UTF_8);
            try {
                ids.computeIfAbsent(tenant, t -> new HashSet<>()).add(JSON.readTree(r.value()).get("id").asText());
            } catch (Exception e) {
                ids.computeIfAbsent(tenant, t -> new HashSet<>()).add("unreadable@" + r.partition() + "/" + r.offset());
            }
        });
        return new Stored(sink, sizes(ids), raw);
    }

    static DeadLetters deadLetters(String bootstrap, String topic) {
        Map<String, Long> reasons = new TreeMap<>();
        long[] without = {0};
        long count = readToEnd(bootstrap, topic, r -> {
            String reason = header(r, DeadLetterHeaders.REASON);
            String exception = header(r, DeadLetterHeaders.EXCEPTION_CLASS);
            if (reason == null) {
                without[0]++;
            }
            String cls = exception == null ? "" : " (" + exception.substring(exception.lastIndexOf('.') + 1) + ")";
            reasons.merge(reason + cls, 1L, Long::sum);
        });
        return new DeadLetters(count, reasons, without[0]);
    }

    /** Source partitions whose committed offset is not their log end, read with Admin. */
    static long partitionsBehind(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> end = endOffsets(admin, topic);
        return end.entrySet().stream().filter(e -> {
            OffsetAndMetadata c = committed.get(e.getKey());
            return (c == null ? 0 : c.offset()) != e.getValue();
        }).count();
    }

    /** The sum of a topic's log-end offsets, read with Admin. */
    static long logEnd(Admin admin, String topic) throws Exception {
        return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, i) -> out.put(tp, i.offset()));
        return out;
    }

    /**
     * OpenSearch, over raw HTTP: {@code _refresh}, then {@code _count} of every index the run should have, and of the
     * run's whole prefix (so an index nobody expected is counted too). Documents are idempotent by their Kafka
     * coordinates, so a count is of distinct records.
     *
     * @param expectedIndices the indices the run should have, each {@code <prefix><tenant>-<day>}
     */
    static Stored openSearch(String url, String prefix, Set<String> expectedIndices) throws Exception {
        http("POST", url + "/" + prefix + "*/_refresh");
        Map<String, Long> byIndex = openSearchIndices(url, expectedIndices);
        Map<String, Long> byTenant = new TreeMap<>();
        byIndex.forEach((index, n) -> byTenant.merge(index.substring(prefix.length(), index.lastIndexOf('-')), n, Long::sum));
        long all = count(url + "/" + prefix + "*/_count");
        return new Stored("es", byTenant, all, byIndex);
    }

    /** {@code _count} of each index (0 for a missing one), over raw HTTP. */
    private static Map<String, Long> openSearchIndices(String url, Set<String> indices) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (String index : indices) {
            out.put(index, count(url + "/" + index + "/_count"));
        }
        return out;
    }

    private static long count(String url) throws Exception {
        JsonNode body = JSON.readTree(http("GET", url));
        return body.path("count").asLong(-1);
    }

    private static String http(String method, String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return "{\"count\":0}";
        }
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** ClickHouse, over raw HTTP: distinct rows per tenant under {@code FINAL} (deduplicated by coordinates), and raw rows. */
    static Stored clickHouse(ClickHouseServer server, String table) {
        Map<String, Long> byTenant = new TreeMap<>();
        for (List<String> row : server.rows("SELECT appid, count() FROM " + table + " FINAL GROUP BY appid")) {
            byTenant.put(row.get(0), Long.parseLong(row.get(1)));
        }
        return new Stored("ch", byTenant, server.count(table));
    }

    /** CLS: the local endpoint's store, which holds what it accepted after checking signatures and decoding bodies. */
    static Stored cls(ClsEndpoint endpoint, Map<String, String> topicByTenant) {
        Map<String, Long> byTenant = new TreeMap<>();
        long raw = 0;
        for (Map.Entry<String, String> e : topicByTenant.entrySet()) {
            List<ClsLog> logs = endpoint.logs(e.getValue());
            raw += logs.size();
            Set<String> ids = new HashSet<>();
            for (ClsLog log : logs) {
                if (!e.getKey().equals(log.get("appid"))) {
                    ids.add("wrong-tenant:" + log.get("id"));
                } else {
                    ids.add(log.get("id"));
                }
            }
            if (!ids.isEmpty()) {
                byTenant.put(e.getKey(), (long) ids.size());
            }
        }
        return new Stored("cls", byTenant, raw);
    }

    private static long readToEnd(String bootstrap, String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        return TopicReader.readToEnd(bootstrap, topic, TIMEOUT, each);
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Map<String, Long> sizes(Map<String, Set<String>> ids) {
        Map<String, Long> out = new TreeMap<>();
        ids.forEach((k, v) -> out.put(k, (long) v.size()));
        return out;
    }
}
