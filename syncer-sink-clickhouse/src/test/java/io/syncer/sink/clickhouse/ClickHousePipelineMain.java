package io.syncer.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import java.time.Duration;

/**
 * A Kafka → ClickHouse pipeline with coordinate columns, run in a child JVM by {@link ClickHouseSinkIT} and killed
 * with SIGKILL mid-run: the restarted pipeline re-inserts what was not committed, and a ReplacingMergeTree ordered
 * by the coordinates counts each record once with FINAL. Every record also goes to a plain MergeTree
 * ({@code <table>_log}) that keeps the re-inserted copies.
 */
public final class ClickHousePipelineMain {
    private ClickHousePipelineMain() {
    }

    /**
     * Runs until killed.
     *
     * @param args bootstrap servers, topic, group, ClickHouse HTTP URL, table, commit interval in ms
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        Client client = new Client.Builder().addEndpoint(args[3]).setUsername("default").setPassword("")
                .compressServerResponse(false).setMaxRetries(0).build();
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
