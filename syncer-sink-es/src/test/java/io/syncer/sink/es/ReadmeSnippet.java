package io.syncer.sink.es;

import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import java.util.List;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/** The README's OpenSearch snippet, compiled with the tests so it cannot drift from the API. */
final class ReadmeSnippet {
    /** Shaped like the README's access log: public fields, as Jackson binds them. */
    static final class AccessLog {
        public String appid;
        public String path;
    }

    private ReadmeSnippet() {
    }

    static Syncer pipeline(ConsumerGroupConfig consumerConfig) {
        OpenSearchAsyncClient client = new OpenSearchAsyncClient(ApacheHttpClient5TransportBuilder
                .builder(new HttpHost("http", "search.internal", 9200)).setMapper(new JacksonJsonpMapper()).build());
        return Syncer.builder(RecordDecoder.json(AccessLog.class))
                .consumer(consumerConfig)
                .sink(OpenSearchSink.<AccessLog>builder("es", client).build())
                .router((log, record) -> List.of(Route.to("es", "access-" + log.appid)))   // index per tenant
                .build();
    }
}
