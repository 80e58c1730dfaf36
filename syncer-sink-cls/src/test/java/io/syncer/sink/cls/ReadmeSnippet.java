package io.syncer.sink.cls;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.RecordDecoder;
import java.util.List;
import java.util.Map;

/** The README's CLS snippet, compiled with the tests so it cannot drift from the API. */
final class ReadmeSnippet {
    /** Shaped like the README's access log: public fields, as Jackson binds them. */
    static final class AccessLog {
        public String appid;
        public String path;
        public long ts;
    }

    private ReadmeSnippet() {
    }

    static Syncer pipeline(ConsumerGroupConfig consumerConfig, Map<String, String> topicByTenant) {
        ClsResources tenants = ClsResources.of(topicByTenant);          // replace or put() while running
        ClsSink<AccessLog> cls = ClsSink.<AccessLog>builder("cls", "https://ap-guangzhou.cls.tencentcs.com",
                        ClsCredentials.fromEnvironment())                // TENCENTCLOUD_SECRET_ID / _KEY
                .mapper(LogMapper.<AccessLog>json().timeField("ts"))     // flattened fields, time from ts
                .build();
        return Syncer.builder(RecordDecoder.json(AccessLog.class))
                .consumer(consumerConfig)
                .sink(cls)
                .router((log, record) -> List.of(tenants.route("cls", log.appid)))   // topic per tenant
                .build();
    }
}
