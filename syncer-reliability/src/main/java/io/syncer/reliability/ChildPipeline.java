package io.syncer.reliability;

import com.clickhouse.client.api.Client;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.TransactionalKafkaProducers;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.clickhouse.ClickHouseSink;
import io.syncer.sink.cls.ClsCredentials;
import io.syncer.sink.cls.ClsSink;
import io.syncer.sink.es.OpenSearchSink;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.test.ClsEndpoint;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * The pipeline under test, in a child JVM the suite SIGKILLs or starves of its sink: the numbered source topic to
 * one sink (a Kafka topic, possibly on another cluster; an OpenSearch index; a ClickHouse table; a CLS topic), at
 * least once, the way an application runs it. Prints {@code HEAP <MiB>} every second: the heap in use after the last
 * collection of each pool, the figure that bounds what the pipeline retains.
 */
public final class ChildPipeline {
    /** The queue bound the suite runs with: what an outage may hold. */
    static final int MAX_QUEUED_RECORDS = 10_000;

    private ChildPipeline() {
    }

    /**
     * Runs until killed (or SIGTERM, which drains and commits).
     *
     * @param args {@code key=value} pairs: {@code sink} (kafka|opensearch|clickhouse|cls, or several joined by
     *     commas for a fan-out), {@code bootstrap}, {@code source}, {@code group}, {@code target} (topic, index, table
     *     or CLS topic id) and, by sink, {@code target.bootstrap}, {@code url}, or per sink {@code <sink>.target} and
     *     {@code <sink>.url}; {@code dlt} names a dead-letter topic, {@code pattern} subscribes to a
     *     topic pattern instead of {@code source}, {@code protocol=consumer} joins with KIP-848,
     *     {@code eos=<transactional id>} makes a Kafka sink exactly once, {@code kafka.<setting>} is given to every Kafka
     *     client, {@code config} names a properties file of more such pairs (the secrets)
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            a.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        if (a.containsKey("config")) {
            // settings with secrets come from a file, not the command line: kafka.*, cls.secretId, cls.secretKey,
            // clickhouse.user, clickhouse.password, opensearch.user, opensearch.password
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of(a.get("config")))) {
                file.load(in);
            }
            file.stringPropertyNames().forEach(k -> a.put(k, file.getProperty(k)));
        }
        String bootstrap = a.get("bootstrap");
        // kafka.<setting>=<value>: a client setting for every Kafka client of the pipeline (security settings)
        Map<String, Object> client = new HashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("kafka.")) {
                client.put(k.substring(6), v);
            }
        });
        ConsumerGroupConfig.Builder group = ConsumerGroupConfig.builder().groupId(a.get("group"))
                .bootstrapServers(bootstrap).commitInterval(Duration.ofMillis(500)).maxQueuedRecords(MAX_QUEUED_RECORDS);
        if (a.containsKey("pattern")) {
            group.topicPattern(Pattern.compile(a.get("pattern")));
        } else {
            group.topics(a.get("source"));
        }
        client.forEach(group::kafkaProperty);
        if (a.containsKey("eos")) {
            // only committed source records: a transactional upstream's aborted records are never forwarded
            group.kafkaProperty("isolation.level", "read_committed");
        }
        if ("consumer".equals(a.get("protocol"))) {
            // KIP-848: the session timeout is the broker's (group.consumer.session.timeout.ms), not the client's
            group.kafkaProperty("group.protocol", "consumer");
        } else {
            // the broker's minimum, so the group notices a killed member in seconds, not 45 s
            group.kafkaProperty("session.timeout.ms", 6000);
        }
        ConsumerGroupConfig consumer = group.build();
        QueueWorkerConfig.Builder worker = QueueWorkerConfig.builder().workers(4).ordering(OrderingMode.UNORDERED);
        if (a.containsKey("dlt")) {
            // records that are not JSON go to the dead-letter topic, through a producer of their own
            KafkaProducersConfig.Builder dltConfig = KafkaProducersConfig.builder().bootstrapServers(bootstrap);
            client.forEach(dltConfig::kafkaProperty);
            KafkaProducers deadLetters = KafkaProducers.create(dltConfig.build());
            worker.deadLetterPolicy(DeadLetterPolicy.toTopic(deadLetters, a.get("dlt")));
        }
        Syncer.Builder<Event> pipeline = Syncer.builder(RecordDecoder.json(Event.class)).consumer(consumer)
                .worker(worker.build());
        // sink=a,b fans out to several sinks, each named after its kind; <kind>.target and <kind>.url override
        // target and url for one of them
        for (String sink : a.get("sink").split(",")) {
            String target = a.getOrDefault(sink + ".target", a.get("target"));
            String url = a.getOrDefault(sink + ".url", a.get("url"));
            switch (sink) {
                case "kafka" -> pipeline.sink(kafkaSink(pipeline, a, client, target));
                case "opensearch" -> {
                    URI os = URI.create(url);
                    ApacheHttpClient5TransportBuilder transport = ApacheHttpClient5TransportBuilder
                            .builder(new HttpHost(os.getScheme(), os.getHost(), os.getPort())).setMapper(new JacksonJsonpMapper());
                    if (a.containsKey("opensearch.password")) {
                        // basic auth, as against a node with the security plugin
                        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                        credentials.setCredentials(new AuthScope(os.getHost(), os.getPort()), new UsernamePasswordCredentials(
                                a.get("opensearch.user"), a.get("opensearch.password").toCharArray()));
                        transport.setHttpClientConfigCallback(b -> b.setDefaultCredentialsProvider(credentials));
                    }
                    OpenSearchAsyncClient openSearch = new OpenSearchAsyncClient(transport.build());
                    // the id is the record's coordinates (the default): a re-delivery overwrites its earlier copy
                    pipeline.sink(OpenSearchSink.<Event>builder(sink, openSearch).index(target).build());
                }
                case "clickhouse" -> {
                    Client clickHouse = new Client.Builder().addEndpoint(url + "/").setUsername(a.getOrDefault("clickhouse.user", "default"))
                            .setPassword(a.getOrDefault("clickhouse.password", ""))
                            .compressServerResponse(false).setMaxRetries(0).build();
                    pipeline.sink(ClickHouseSink.<Event>builder(sink, clickHouse).table(target)
                            .rowBinary(List.of("seq", "tenant"), (r, row) -> row.uint64(r.value().seq()).string(r.value().tenant()))
                            .coordinates(true).build());
                }
                case "cls" -> pipeline.sink(ClsSink.<Event>builder(sink, url,
                        ClsCredentials.of(a.getOrDefault("cls.secretId", ClsEndpoint.DEFAULT_SECRET_ID),
                                a.getOrDefault("cls.secretKey", ClsEndpoint.DEFAULT_SECRET_KEY))).topic(target).build());
                default -> throw new IllegalArgumentException("sink=" + sink);
            }
        }
        Syncer syncer = pipeline.build();
        syncer.closeOnShutdown(Duration.ofSeconds(30));
        syncer.start();
        while (true) {
            System.out.println("HEAP " + retainedHeapMb());
            Thread.sleep(1_000);
        }
    }

    /**
     * The Kafka sink: at least once through a plain producer whose sends time out after 5 s, not 120 s and 60 s (so a
     * target outage goes through the sink's timeout path, the topic held and probed, within a scenario); or, with
     * {@code eos}, exactly once through a transactional producer that also commits the consumed offsets. A restarted
     * instance keeps its transactional id, so it fences and aborts what the killed one left open; an abandoned id's
     * open transaction is aborted by the coordinator after 10 s.
     */
    private static KafkaSink<Event> kafkaSink(Syncer.Builder<Event> pipeline, Map<String, String> a,
            Map<String, Object> client, String target) {
        KafkaProducersConfig.Builder config = KafkaProducersConfig.builder()
                .bootstrapServers(a.getOrDefault("target.bootstrap", a.get("bootstrap"))).kafkaProperty("linger.ms", 10);
        client.forEach(config::kafkaProperty);
        KafkaProducers producers;
        if (a.containsKey("eos")) {
            TransactionalKafkaProducers tx = TransactionalKafkaProducers.create(
                    config.kafkaProperty("transaction.timeout.ms", 10_000).build(), a.get("eos"));
            pipeline.exactlyOnce(tx);
            producers = tx;
        } else {
            // a producer that lost its metadata (it rebootstraps when the cluster is gone) blocks send() for
            // max.block.ms before the timeout: 5 s too, not 60 s
            producers = KafkaProducers.create(config.kafkaProperty("request.timeout.ms", 3_000)
                    .kafkaProperty("max.block.ms", 5_000).deliveryTimeout(Duration.ofSeconds(5)).build());
        }
        // the record's own key and value are forwarded (the default transform)
        return KafkaSink.<Event>builder("kafka", producers).topic(target).build();
    }

    /**
     * A numbered record as the application decodes it: a value that is not JSON, has a field of the wrong type or
     * lacks the tenant fails to decode and is dead-lettered with the reason.
     *
     * @param seq the sequence number
     * @param tenant the tenant, required
     * @param pad filler
     */
    public record Event(long seq, String tenant, String pad) {
        /** Rejects a missing or blank tenant. */
        public Event {
            if (tenant == null || tenant.isBlank()) {
                throw new IllegalArgumentException("no tenant");
            }
        }
    }

    /** Heap in use after the last collection of each heap pool, MiB. */
    static long retainedHeapMb() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used >> 20;
    }
}
