package io.syncer.benchmarks;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.clickhouse.ClickHouseSink;
import io.syncer.sink.clickhouse.RowMapper;
import io.syncer.test.ClickHouseServer;
import io.syncer.test.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * P5: Kafka to ClickHouse. A hand-written loop (poll, parse each JSON value, encode RowBinary, one
 * client-v2 insert per batch of the same size, then {@code commitSync}) vs a pipeline with
 * {@link ClickHouseSink} writing the same rows in RowBinary, against the same real server in a child
 * process (its CPU is not this JVM's). The pipeline keeps a batch's worth of records in flight.
 */
final class ClickHouseScenario {
    private static final int PARTITIONS = 6;
    private static final int BATCH = 50_000;
    private static final List<String> COLUMNS = List.of("ts", "appid", "path", "status", "bytes");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The row both sides bind each JSON value to (public fields, as Jackson binds them). */
    public static final class AccessRow {
        /** Epoch seconds. */
        public long ts;
        /** The tenant. */
        public String appid;
        /** The request path. */
        public String path;
        /** The HTTP status. */
        public int status;
        /** Response bytes. */
        public long bytes;
    }

    private static final com.fasterxml.jackson.databind.ObjectReader ROWS = JSON.readerFor(AccessRow.class);

    private final BenchmarkSuite suite;

    ClickHouseScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 20_000 : 3_000_000;
        String topic = KafkaBroker.uniqueName("p5");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        produce(topic, records);
        try (ClickHouseServer server = ClickHouseServer.startOrExternal();
             Client client = new Client.Builder().addEndpoint(server.httpUrl() + "/").setUsername(server.user())
                     .setPassword(server.password()).compressServerResponse(false).setMaxRetries(0).build()) {
            long[] bytes = new long[2];
            // runs of 1,000,000 (about 2 s) scattered by +-10 % between repetitions: 3,000,000 and five each
            suite.compare("P5 ClickHouse RowBinary, server " + server.version(), records, 5,
                    "hand loop: poll, encode, insert " + BATCH + ", commitSync", () -> {
                        String table = table(server, "bare");
                        return handLoop(client, server, topic, table, records, bytes);
                    },
                    "syncer-sink-clickhouse, RowBinary", () -> pipeline(client, server, topic, table(server, "syncer"), records),
                    () -> 0);
            System.out.printf("P5: %.1f bytes of RowBinary per row%n", bytes[0] / (double) bytes[1]);
        }
    }

    private static String table(ClickHouseServer server, String side) {
        String table = KafkaBroker.uniqueName("p5_" + side).replace('-', '_');
        server.execute("CREATE TABLE " + table + " (ts DateTime, appid String, path String, status UInt16, bytes UInt64)"
                + " ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (appid, ts)");
        return table;
    }

    /** The baseline's RowBinary encoding of one access log, written by hand. */
    private static void encode(AccessRow v, ByteArrayOutputStream out) {
        putLittleEndian(out, v.ts, 4);
        putString(out, v.appid);
        putString(out, v.path);
        putLittleEndian(out, v.status, 2);
        putLittleEndian(out, v.bytes, 8);
    }

    private static void putString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = b.length;
        while (n >= 0x80) {
            out.write((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.write(b, 0, b.length);
    }

    private static void putLittleEndian(ByteArrayOutputStream out, long v, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }

    private long handLoop(Client client, ClickHouseServer server, String topic, String table, int records, long[] bytes)
            throws Exception {
        long inserted = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(suite.consumerProps(KafkaBroker.uniqueName("p5-bare")))) {
            c.subscribe(List.of(topic));
            ByteArrayOutputStream batch = new ByteArrayOutputStream(BATCH * 64);
            int rows = 0;
            while (inserted < records) {
                ConsumerRecords<byte[], byte[]> polled = c.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    encode(ROWS.readValue(r.value()), batch);
                    rows++;
                }
                if (rows >= BATCH || rows > 0 && inserted + rows >= records || rows > 0 && polled.isEmpty()) {
                    byte[] body = batch.toByteArray();
                    try (InsertResponse ignored = client.insert(table, COLUMNS, out -> out.write(body), ClickHouseFormat.RowBinary,
                            new InsertSettings()).get(60, TimeUnit.SECONDS)) {
                        inserted += rows;
                        bytes[0] += body.length;
                        bytes[1] += rows;
                    }
                    c.commitSync();
                    batch.reset();
                    rows = 0;
                }
            }
        }
        if (server.count(table) != records) {
            throw new IllegalStateException("P5 baseline: the table holds " + server.count(table) + " of " + records);
        }
        return inserted;
    }

    private long pipeline(Client client, ClickHouseServer server, String topic, String table, int records) throws Exception {
        RowMapper<AccessRow> mapper = (record, row) -> {
            AccessRow v = record.value();
            row.dateTime(Instant.ofEpochSecond(v.ts)).string(v.appid).string(v.path).uint16(v.status).uint64(v.bytes);
        };
        Syncer syncer = Syncer.builder(RecordDecoder.json(AccessRow.class))
                .consumer(io.syncer.consume.ConsumerGroupConfig.builder().groupId(KafkaBroker.uniqueName("p5-syncer"))
                        .topics(topic).bootstrapServers(suite.bootstrap).maxQueuedRecords(2 * BATCH)
                        .maxQueuedBytes(256L * 1024 * 1024).build())
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                .sink(ClickHouseSink.<AccessRow>builder("ch", client).table(table).rowBinary(COLUMNS, mapper)
                        .deduplicationTokens(false)
                        .batchPolicy(BatchPolicy.builder().maxRecords(BATCH).maxBytes(32L * 1024 * 1024)
                                .linger(Duration.ofMillis(200)).maxInFlight(2).build()).build())
                .build();
        syncer.start();
        while (server.count(table) < records) {
            Thread.sleep(20);
        }
        syncer.close(Duration.ofSeconds(30));
        long n = server.count(table);
        if (n != records) {
            throw new IllegalStateException("P5 syncer: the table holds " + n + " of " + records);
        }
        return n;
    }

    private void produce(String topic, int records) throws Exception {
        suite.produceJson(topic, records, BenchmarkSuite::accessLog);
    }
}
