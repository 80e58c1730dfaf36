package io.syncer.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Route;
import java.time.Duration;
import java.util.List;

/**
 * A Kafka → ClickHouse pipeline with coordinate columns, run in a child JVM by {@link ClickHouseSinkIT} and killed
 * with SIGKILL mid-run: the restarted pipeline re-inserts what was not committed, and a ReplacingMergeTree ordered
 * by the coordinates counts each record once with FINAL. Every record also goes to a plain MergeTree
 * ({@code <table>_log}) that keeps the re-inserted copies.
 *
 * <p>With a seventh argument, the insert log's table, it runs the other way to no duplicates: one table per tenant
 * ({@code <table>_<appid>}, plain MergeTrees with deduplication on), an insert log, no coordinates; the test then
 * expects the raw counts to be exact.
 */
public final class ClickHousePipelineMain {
    private ClickHousePipelineMain() {
    }

    /**
     * Runs until killed.
     *
     * @param args bootstrap servers, topic, group, ClickHouse HTTP URL, table, commit interval in ms[, insert log]
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        Client client = new Client.Builder().addEndpoint(args[3]).setUsername("default").setPassword("")
                .compressServerResponse(false).setMaxRetries(0).build();
        if (args.length > 6) {
            Syncer syncer = Syncer.builder(RecordDecoder.json(JsonNode.class))
                    .consumer(ConsumerGroupConfig.builder().groupId(args[2]).topics(args[1]).bootstrapServers(args[0])
                            .commitInterval(Duration.ofMillis(Long.parseLong(args[5]))).kafkaProperty("session.timeout.ms", 6000).build())
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                    .sink(ClickHouseSink.<JsonNode>builder("ch", client).insertLog(args[6])
                            .rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER)
                            .batchPolicy(BatchPolicy.builder().maxRecords(1_000).linger(Duration.ofMillis(100)).maxInFlight(2).build()).build())
                    .router((log, record) -> List.of(Route.to("ch", args[4] + "_" + log.get("appid").asText())))
                    .build();
            syncer.start();
            Thread.sleep(Long.MAX_VALUE);
        }
        Syncer syncer = Syncer.builder(RecordDecoder.json(JsonNode.class))
                .consumer(ConsumerGroupConfig.builder().groupId(args[2]).topics(args[1]).bootstrapServers(args[0])
                        .commitInterval(Duration.ofMillis(Long.parseLong(args[5]))).kafkaProperty("session.timeout.ms", 6000).build())
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                .sink(ClickHouseSink.<JsonNode>builder("ch", client).table(args[4]).coordinates(true)
                        .rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER)
                        .batchPolicy(BatchPolicy.builder().maxRecords(2_000).linger(Duration.ofMillis(100)).build()).build())
                // the same rows into a plain MergeTree, which keeps every copy: the test counts the re-inserts there
                .sink(ClickHouseSink.<JsonNode>builder("log", client).table(args[4] + "_log").coordinates(true)
                        .rowBinary(AccessRows.COLUMNS, AccessRows.MAPPER)
                        .batchPolicy(BatchPolicy.builder().maxRecords(2_000).linger(Duration.ofMillis(100)).build()).build())
                .build();
        syncer.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
