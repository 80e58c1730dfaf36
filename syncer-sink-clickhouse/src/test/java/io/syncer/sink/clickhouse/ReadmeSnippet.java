package io.syncer.sink.clickhouse;

import com.clickhouse.client.api.Client;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import java.time.Instant;
import java.util.List;

/** The README's ClickHouse snippet, compiled with the tests so it cannot drift from the API. */
final class ReadmeSnippet {
    /** Shaped like the README's access log: public fields, as Jackson binds them. */
    static final class AccessLog {
        public Instant time;
        public String appid;
        public String path;
        public int status;
        public long bytes;
    }

    private ReadmeSnippet() {
    }

    static Syncer pipeline(ConsumerGroupConfig consumerConfig, String password) {
        Client client = new Client.Builder().addEndpoint("http://clickhouse:8123/").setUsername("default")
                .setPassword(password).setMaxRetries(0).build();                  // core is the one retry layer
        ClickHouseSink<AccessLog> ch = ClickHouseSink.<AccessLog>builder("ch", client)
                .rowBinary(List.of("ts", "appid", "path", "status", "bytes"), (record, row) -> row
                        .dateTime(record.value().time).string(record.value().appid).string(record.value().path)
                        .uint16(record.value().status).uint64(record.value().bytes))
                .coordinates(true)                                                // + _topic, _partition, _offset
                .build();
        return Syncer.builder(RecordDecoder.json(AccessLog.class))
                .consumer(consumerConfig)
                .sink(ch)
                .router((log, record) -> List.of(Route.to("ch", "access_stats_" + log.appid)))
                .build();
    }

    static ClickHouseSink<AccessLog> withInsertLog(Client client, List<String> columns, RowMapper<AccessLog> mapper) {
        return ClickHouseSink.<AccessLog>builder("ch", client).rowBinary(columns, mapper)
                .insertLog("syncer_insert_log")   // tokens are on by default where the server takes them
                .build();
    }
}
