package io.syncer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tencentcloudapi.cls.producer.AsyncProducerClient;
import com.tencentcloudapi.cls.producer.AsyncProducerConfig;
import com.tencentcloudapi.cls.producer.Result;
import com.tencentcloudapi.cls.producer.common.Constants;
import com.tencentcloudapi.cls.producer.common.LogItem;
import io.syncer.Syncer;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.cls.ClsCredentials;
import io.syncer.sink.cls.ClsSink;
import io.syncer.sink.cls.LogMapper;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.KafkaBroker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * P6: Kafka to CLS. A hand-written loop over the bare SDK (poll, map each JSON value to a log, {@code putLogs} in
 * calls of the sink's batch size with as many calls in flight as the sink allows, commit what CLS acknowledged) vs
 * a pipeline with {@link ClsSink}, both against the same in-process {@link ClsEndpoint}, whose threads' CPU time is
 * left out of both sides' figures. Access logs of 50 tenants, each to its own CLS topic.
 */
final class ClsScenario {
    private static final int TENANTS = 50;
    private static final int PARTITIONS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BenchmarkSuite suite;

    ClsScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 20_000 : 300_000;
        String topic = KafkaBroker.uniqueName("p6");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        produce(topic, records);
        int maxRecords = ClsSink.DEFAULT_BATCH_POLICY.maxRecords();
        int inFlight = ClsSink.DEFAULT_BATCH_POLICY.maxInFlight();
        try (ClsEndpoint endpoint = ClsEndpoint.start()) {
            suite.compare("P6 CLS, " + TENANTS + " tenant topics", records,
                    "hand loop over the SDK: " + maxRecords + " per batch, " + inFlight + " in flight",
                    () -> handLoop(endpoint, topic, records, maxRecords, inFlight,
                            ClsSink.DEFAULT_BATCH_POLICY.linger().toNanos()),
                    "syncer-sink-cls, UNORDERED", () -> pipeline(endpoint, topic, records),
                    ClsScenario::endpointCpuSeconds);
        }
    }

    /** CPU of the endpoint's threads: the server both sides talk to, not client work. */
    private static double endpointCpuSeconds() {
        long nanos = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("syncer-cls-endpoint")) {
                nanos += Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
            }
        }
        return nanos / 1e9;
    }

    private static String tenantTopic(String tenant) {
        return "topic-" + tenant;
    }

    private long handLoop(ClsEndpoint endpoint, String topic, int records, int maxRecords, int maxInFlight,
                          long lingerNanos) throws Exception {
        endpoint.reset();
        AsyncProducerConfig config = new AsyncProducerConfig(endpoint.url(), ClsEndpoint.DEFAULT_SECRET_ID,
                ClsEndpoint.DEFAULT_SECRET_KEY, "127.0.0.1");
        config.setBatchCountThreshold(1);
        config.setBatchSizeThresholdInBytes(Constants.MAX_BATCH_SIZE_IN_BYTES);
        config.setSendThreadCount(ClsSink.DEFAULT_SEND_THREADS);
        config.setTotalSizeInBytes(ClsSink.DEFAULT_BUFFER_BYTES);
        config.setLingerMs(100);
        AsyncProducerClient client = new AsyncProducerClient(config);
        long acked = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(suite.consumerProps(KafkaBroker.uniqueName("p6-bare")))) {
            c.subscribe(List.of(topic));
            ArrayDeque<Batch> inFlight = new ArrayDeque<>();
            Batch open = new Batch();
            long polled = 0;
            while (polled < records || !inFlight.isEmpty() || open.count > 0) {
                {
                    // a real loop keeps polling; it waits at most until the open batch's linger is up
                    long wait = open.count == 0 ? 100_000_000L
                            : Math.max(1_000_000L, Math.min(100_000_000L, lingerNanos - (System.nanoTime() - open.started)));
                    ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofNanos(wait));
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        JsonNode log = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
                        LogItem item = new LogItem(r.timestamp());
                        for (Iterator<Map.Entry<String, JsonNode>> it = log.fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> f = it.next();
                            item.PushBack(f.getKey(), f.getValue().asText());
                        }
                        open.add(log.get("appid").asText(), item, r);
                        if (open.count >= maxRecords) {
                            inFlight.add(open.send(client));
                            open = new Batch();
                        }
                    }
                    polled += batch.count();
                }
                // the sink's linger: a partial batch goes when it is that old (the loop does not know where the data ends)
                if (open.count > 0 && System.nanoTime() - open.started >= lingerNanos) {
                    inFlight.add(open.send(client));
                    open = new Batch();
                }
                // the sink's in-flight bound; commit in order what CLS acknowledged
                while (!inFlight.isEmpty() && (inFlight.size() > maxInFlight || inFlight.peek().done.isDone()
                        || polled >= records && open.count == 0)) {
                    Batch b = inFlight.poll();
                    acked += b.done.get(60, TimeUnit.SECONDS);
                    c.commitSync(b.offsets);
                }
            }
        } finally {
            client.close(10_000);
        }
        return acked;
    }

    /** One batch of the hand loop: its logs per tenant topic, its offsets, and its acknowledgement. */
    private static final class Batch {
        final Map<String, List<LogItem>> byTopic = new HashMap<>();
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        int count;
        long started;
        CompletableFuture<Long> done;

        void add(String tenant, LogItem item, ConsumerRecord<byte[], byte[]> r) {
            if (count == 0) {
                started = System.nanoTime();
            }
            byTopic.computeIfAbsent(tenantTopic(tenant), t -> new ArrayList<>()).add(item);
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            count++;
        }

        Batch send(AsyncProducerClient client) throws Exception {
            List<CompletableFuture<Long>> calls = new ArrayList<>();
            for (Map.Entry<String, List<LogItem>> e : byTopic.entrySet()) {
                CompletableFuture<Long> call = new CompletableFuture<>();
                int n = e.getValue().size();
                client.putLogs(e.getKey(), e.getValue(), (Result result) -> {
                    if (result.isSuccessful()) {
                        call.complete((long) n);
                    } else {
                        call.completeExceptionally(new IllegalStateException("CLS call failed: " + result));
                    }
                });
                calls.add(call);
            }
            done = CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
                    .thenApply(v -> calls.stream().mapToLong(CompletableFuture::join).sum());
            return this;
        }
    }

    private long pipeline(ClsEndpoint endpoint, String topic, int records) throws Exception {
        endpoint.reset();
        String group = KafkaBroker.uniqueName("p6-syncer");
        Syncer syncer = Syncer.builder(RecordDecoder.json(JsonNode.class))
                .consumer(suite.consumer(group, topic))
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                .sink(ClsSink.<JsonNode>builder("cls", endpoint.url(),
                                ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY))
                        .sourceIp("127.0.0.1").mapper(LogMapper.json()).build())
                .router((log, source) -> List.of(io.syncer.sink.Route.to("cls", tenantTopic(log.get("appid").asText()))))
                .build();
        syncer.start();
        // done when CLS holds every record (the hand loop's measure too), then the drained close and its commit
        while (endpoint.logCount() < records) {
            Thread.sleep(5);
        }
        syncer.close(Duration.ofSeconds(30));
        long done = committed(group);
        if (done != records) {
            throw new IllegalStateException("P6: the pipeline committed " + done + " of " + records);
        }
        return endpoint.logCount();
    }

    private long committed(String group) throws Exception {
        return suite.admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }

    private void produce(String topic, int records) throws Exception {
        suite.produceJson(topic, records, i -> {
            // a skewed tenant mix: a fifth of the tenants carry about half the traffic
            int tenant = i % 2 == 0 ? i % (TENANTS / 5) : i % TENANTS;
            Map<String, Object> log = Map.of("appid", "t" + tenant, "seq", i, "path", "/api/v1/items/" + (i % 997),
                    "status", i % 50 == 0 ? 500 : 200, "bytes", 512 + i % 4096, "ua", "Mozilla/5.0 (bench)");
            return log;
        });
    }
}
