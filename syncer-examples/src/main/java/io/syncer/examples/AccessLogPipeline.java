package io.syncer.examples;

import com.clickhouse.client.api.Client;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.produce.KafkaProducers;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.sink.clickhouse.ClickHouseSink;
import io.syncer.sink.cls.ClsResources;
import io.syncer.sink.cls.ClsSink;
import io.syncer.sink.cls.LogMapper;
import io.syncer.sink.es.OpenSearchSink;
import io.syncer.sink.kafka.KafkaSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;

/**
 * The old service's job as one {@link Syncer}: every access log of a known tenant goes to that
 * tenant's CLS topic (customers read their logs), to the AI-analysis topic, to an OpenSearch index
 * per tenant per day (developers debug) and to a ClickHouse table of per-request rows (customer
 * statistics); bot traffic also goes to the bot topic. Malformed records and unknown tenants go to
 * the dead-letter topic with the reason.
 */
final class AccessLogPipeline {
    /** ClickHouse columns, in RowBinary order; the sink adds {@code _topic, _partition, _offset}. */
    static final List<String> COLUMNS = List.of("ts", "appid", "ip", "method", "path", "status", "bytes", "latency_ms",
            "bot", "id");

    private AccessLogPipeline() {
    }

    /** Names of one run's topics, group, indices, table and CLS topics, so runs never see each other's data. */
    record Names(String source, String ai, String bot, String deadLetters, String group, String indexPrefix,
                 String table, Map<String, String> clsTopicByTenant) {
        static Names of(String run, String sharedClsTopic) {
            Map<String, String> cls = new LinkedHashMap<>();
            for (String tenant : AccessLogStream.TENANTS) {
                // real CLS topic ids are UUIDs; the local endpoint takes any, these are stable per run and tenant
                cls.put(tenant, sharedClsTopic != null ? sharedClsTopic
                        : UUID.nameUUIDFromBytes((run + "/" + tenant).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
            }
            String id = run.replaceAll("[^a-z0-9]", "_");
            return new Names(run, run + ".ai", run + ".bot", run + ".dlt", run + "-syncer", run.toLowerCase() + "-",
                    "access_requests_" + id, Map.copyOf(cls));
        }

        /** The OpenSearch index of a tenant's day. */
        String index(String tenant, Instant time) {
            return indexPrefix + tenant + "-" + AccessLogStream.DAY.format(time);
        }
    }

    /** ClickHouse DDL of the per-request table: deduplicated by its Kafka coordinates under {@code FINAL}. */
    static String ddl(String table) {
        return "CREATE TABLE " + table + " (ts DateTime, appid String, ip String, method String, path String,"
                + " status UInt16, bytes UInt64, latency_ms UInt32, bot UInt8, id String,"
                + " _topic String, _partition UInt32, _offset UInt64)"
                + " ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (appid, _topic, _partition, _offset)";
    }

    static Syncer build(Names names, DemoServices services, KafkaProducers producers, KafkaProducers deadLetters,
                        OpenSearchAsyncClient openSearch, Client clickHouse, SyncerMetrics metrics, int workers) {
        ClsResources tenants = ClsResources.of(names.clsTopicByTenant());
        ClsSink<AccessLog> cls = ClsSink.<AccessLog>builder("cls", services.clsUrl, services.clsCredentials)
                .mapper(LogMapper.<AccessLog>json().timeField("ts"))
                .build();
        ClickHouseSink<AccessLog> ch = ClickHouseSink.<AccessLog>builder("ch", clickHouse)
                .table(names.table())
                .rowBinary(COLUMNS, (record, row) -> {
                    AccessLog log = record.value();
                    row.dateTime(Instant.ofEpochMilli(log.ts)).string(log.appid).string(log.ip).string(log.method)
                            .string(log.path).uint16(log.status).uint64(log.bytes).uint32(log.latencyMs)
                            .uint8(log.bot ? 1 : 0).string(log.id);
                })
                .coordinates(true)
                .build();
        return Syncer.builder(RecordDecoder.json(AccessLog.class))
                .consumer(ConsumerGroupConfig.builder().groupId(names.group()).topics(names.source())
                        .bootstrapServers(services.bootstrapServers).commitInterval(Duration.ofSeconds(1)).build())
                // forwarding needs no per-tenant order; KEY order would hold a tenant to one sink round trip at a time
                .worker(QueueWorkerConfig.builder().name("access-log").workers(workers).ordering(OrderingMode.UNORDERED)
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(deadLetters, names.deadLetters())).build())
                .sink(cls)
                .sink(KafkaSink.<AccessLog>builder("ai", producers).topic(names.ai()).build())
                .sink(KafkaSink.<AccessLog>builder("bot", producers).topic(names.bot()).build())
                .sink(OpenSearchSink.<AccessLog>builder("es", openSearch).build())
                .sink(ch)
                .router((log, record) -> {
                    if (log.appid == null || tenants.find(log.appid).isEmpty()) {
                        return List.of(); // no route: dead-lettered with the reason "unrouted"
                    }
                    List<Route> routes = new ArrayList<>(5);
                    routes.add(tenants.route("cls", log.appid));
                    routes.add(Route.to("ai"));
                    routes.add(Route.to("es", names.index(log.appid, Instant.ofEpochMilli(log.ts))));
                    routes.add(Route.to("ch"));
                    if (log.bot) {
                        routes.add(Route.to("bot"));
                    }
                    return routes;
                })
                .metrics(metrics)
                .build();
    }
}
