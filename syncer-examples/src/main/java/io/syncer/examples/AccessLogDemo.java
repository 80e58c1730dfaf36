package io.syncer.examples;

import com.clickhouse.client.api.Client;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.syncer.Syncer;
import io.syncer.micrometer.MicrometerMetrics;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.sink.SinkStats;
import io.syncer.test.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.http.HttpHost;
import org.apache.kafka.clients.admin.Admin;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * The README's demo: the job of the Go service syncer replaces, on four real sinks. It starts a
 * Kafka broker, an OpenSearch node, a ClickHouse server and a CLS endpoint (or uses the ones named
 * by flags), produces a skewed access-log stream with some bad records, and runs one {@link Syncer}
 * that fans each record out to the tenant's CLS topic, the AI topic (and the bot topic for bots),
 * an OpenSearch index per tenant per day and a ClickHouse table; bad records go to the dead-letter
 * topic. It prints progress every second, serves the metrics for Prometheus, and ends with a
 * summary that checks every sink by an independent read: {@code SUMMARY OK ...} only when all
 * match; otherwise {@code main} throws (exit 1).
 */
public final class AccessLogDemo {
    static final String USAGE = "[--records N] [--workers N] [--seed N] [--fault opensearch-stop,cls-429,clickhouse-restart]"
            + " [--hold] [--metrics-port N] [--timeout SECONDS] [--bootstrap-servers host:port] [--opensearch-url URL]"
            + " [--clickhouse-url URL] [--cls-endpoint URL --cls-topic ID [--cls-secret-id ID --cls-secret-key KEY]]";
    static final int SOURCE_PARTITIONS = 6;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AccessLogDemo() {
    }

    /**
     * The demo's options.
     *
     * @param records access logs to produce
     * @param workers queue workers
     * @param seed the stream's random seed
     * @param faults the {@code --fault} list, or {@code null}
     * @param hold keep the pipeline and services up after the summary until Ctrl-C
     * @param metricsPort the Prometheus page's port, 0 for a free one
     * @param timeout how long the run may take before the summary is taken anyway
     * @param progress print the once-a-second line
     */
    record Options(int records, int workers, long seed, String faults, boolean hold, int metricsPort, Duration timeout,
                   boolean progress) {
        static Options parse(Map<String, String> o) {
            return new Options(Integer.parseInt(o.getOrDefault("records", "100000")),
                    Integer.parseInt(o.getOrDefault("workers", "4")), Long.parseLong(o.getOrDefault("seed", "42")),
                    o.get("fault"), o.containsKey("hold"), Integer.parseInt(o.getOrDefault("metrics-port", "0")),
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("timeout", "300"))), true);
        }
    }

    /**
     * Runs the demo.
     *
     * @param args see {@link #USAGE}
     * @throws Exception on a setup failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Args.parse(args, Set.of("hold"), USAGE);
        Options options = Options.parse(opts);
        Summary summary;
        try (DemoServices services = DemoServices.start(opts)) {
            summary = run(services, options);
        }
        if (!summary.ok()) {
            throw new IllegalStateException("the sinks do not hold what was produced (see the CHECK lines)");
        }
        // no System.exit: every thread the demo started is stopped, so the JVM ends on its own (exit 0)
    }

    /**
     * What the run produced and what every sink holds, read back independently.
     *
     * @param ok every check matched
     * @param expected what the stream says the sinks must hold
     * @param stored what each sink holds, by sink name
     * @param deadLetters the dead-letter topic
     * @param partitionsBehind source partitions whose committed offset is not the log end
     * @param faults what the faults did, in order
     * @param scrape the Prometheus page as it was at the end of the run
     * @param sinkStats what each sink wrote, retried and failed
     * @param maxHeld by sink, the most records an outage held at one time (seen once a second)
     * @param seconds the run's duration
     */
    record Summary(boolean ok, AccessLogStream.Expected expected, Map<String, SinkReadBack.Stored> stored,
                   SinkReadBack.DeadLetters deadLetters, long partitionsBehind, List<String> faults, String scrape,
                   Map<String, SinkStats> sinkStats, Map<String, Long> maxHeld, double seconds) {
    }

    static Summary run(DemoServices services, Options options) throws Exception {
        String run = KafkaBroker.uniqueName("access-log");
        AccessLogPipeline.Names names = AccessLogPipeline.Names.of(run, services.clsTopic);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", services.bootstrapServers));
             KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder()
                     .bootstrapServers(services.bootstrapServers)
                     .kafkaProperty("linger.ms", 20).kafkaProperty("batch.size", 262_144).build());
             // dead letters of one key are written one after another (their order is kept): no linger for them
             KafkaProducers deadLetters = KafkaProducers.create(KafkaProducersConfig.builder()
                     .bootstrapServers(services.bootstrapServers).kafkaProperty("linger.ms", 0).build());
             OpenSearchTransport transport = ApacheHttpClient5TransportBuilder.builder(host(services.openSearchUrl))
                     .setMapper(new JacksonJsonpMapper()).build();
             Client clickHouse = new Client.Builder().addEndpoint(services.clickHouse.httpUrl() + "/")
                     .setUsername(services.clickHouse.user()).setPassword(services.clickHouse.password())
                     .compressServerResponse(false).setMaxRetries(0).build();          // core is the one retry layer
             MetricsEndpoint metrics = MetricsEndpoint.start(registry, "127.0.0.1", options.metricsPort())) {
            KafkaBroker.createTopic(admin, names.source(), SOURCE_PARTITIONS);
            KafkaBroker.createTopic(admin, names.ai(), 3);
            KafkaBroker.createTopic(admin, names.bot(), 1);
            KafkaBroker.createTopic(admin, names.deadLetters(), 1);
            services.clickHouse.execute(AccessLogPipeline.ddl(names.table()));
            put(services.openSearchUrl + "/_index_template/" + names.indexPrefix() + "template", "{\"index_patterns\":[\""
                    + names.indexPrefix() + "*\"],\"template\":{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}}");
            DemoServices.say("run " + run + ": source topic " + names.source() + " (" + SOURCE_PARTITIONS + " partitions) -> "
                    + names.clsTopicByTenant().size() + " CLS topics, " + names.ai() + ", " + names.bot() + ", OpenSearch "
                    + names.indexPrefix() + "<tenant>-<day>, ClickHouse " + names.table() + "; dead letters " + names.deadLetters());
            DemoServices.say("metrics for Prometheus at " + metrics.url());

            Syncer syncer = AccessLogPipeline.build(names, services, producers, deadLetters,
                    new OpenSearchAsyncClient(transport), clickHouse, new MicrometerMetrics(registry), options.workers());
            long start = System.nanoTime();
            DemoFaults faults = new DemoFaults(options.faults(), services, start);
            DemoProgress progress = new DemoProgress(syncer, registry, start);
            syncer.start();
            // the producer runs beside the pipeline, as the edge does
            AtomicReference<AccessLogStream.Expected> expected = new AtomicReference<>();
            AtomicReference<Throwable> produceFailure = new AtomicReference<>();
            AtomicLong produced = new AtomicLong();
            Thread producer = new Thread(() -> {
                try {
                    expected.set(AccessLogStream.produce(producers, names.source(), options.records(), options.seed(),
                            produced::set));
                } catch (Throwable e) {
                    produceFailure.set(e);
                }
            }, "demo-producer");
            producer.start();
            long deadline = start + options.timeout().toNanos();
            long nextLine = start;
            while (System.nanoTime() < deadline) {
                long done = progress.done();
                faults.maybeTrigger(done, options.records());
                if (options.progress() && System.nanoTime() >= nextLine) {
                    progress.print(produced.get());
                    nextLine += 1_000_000_000L;
                }
                if (produceFailure.get() != null) {
                    throw new IllegalStateException("producing the access logs failed", produceFailure.get());
                }
                // done when every record is committed: the group's offsets equal the log ends, both read with Admin
                if (expected.get() != null && faults.finished() && syncer.health().isCaughtUp()
                        && SinkReadBack.partitionsBehind(admin, names.group(), names.source()) == 0) {
                    break;
                }
                Thread.sleep(50);
            }
            producer.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (options.progress()) {
                progress.print(produced.get());
            }
            faults.await(Duration.ofSeconds(60));
            Summary summary = verify(services, names, admin, expected.get(), faults.events(), registry.scrape(),
                    syncer.sinkStats(), progress.maxHeld(), seconds);
            if (options.hold()) {
                hold(services, metrics, names, syncer);
            }
            syncer.close(Duration.ofSeconds(30));
            if (options.progress()) {
                progress.print(produced.get());
            }
            return summary;
        }
    }

    private static Summary verify(DemoServices services, AccessLogPipeline.Names names, Admin admin,
                                  AccessLogStream.Expected expected, List<String> faults, String scrape,
                                  Map<String, SinkStats> sinkStats, Map<String, Long> maxHeld, double seconds)
            throws Exception {
        Objects.requireNonNull(expected, "the producer did not finish within the run's timeout");
        Map<String, SinkReadBack.Stored> stored = new LinkedHashMap<>();
        Map<String, Long> expectedIndices = new TreeMap<>();
        expected.byIndexSuffix().forEach((suffix, n) -> expectedIndices.put(names.indexPrefix() + suffix, n));
        if (services.clsEndpoint() != null) {
            stored.put("cls", SinkReadBack.cls(services.clsEndpoint(), names.clsTopicByTenant()));
        }
        stored.put("ai", SinkReadBack.topic("ai", services.bootstrapServers, names.ai()));
        stored.put("bot", SinkReadBack.topic("bot", services.bootstrapServers, names.bot()));
        stored.put("es", SinkReadBack.openSearch(services.openSearchUrl, names.indexPrefix(), expectedIndices.keySet()));
        stored.put("ch", SinkReadBack.clickHouse(services.clickHouse, names.table()));
        SinkReadBack.DeadLetters dead = SinkReadBack.deadLetters(services.bootstrapServers, names.deadLetters());
        long behind = SinkReadBack.partitionsBehind(admin, names.group(), names.source());
        long aiEnd = SinkReadBack.logEnd(admin, names.ai());
        long botEnd = SinkReadBack.logEnd(admin, names.bot());

        boolean ok = true;
        System.out.println();
        System.out.printf("%-8s %9s %9s %9s %9s %9s %9s%n", "tenant", "expected", "cls", "ai", "es", "ch", "bot");
        for (String tenant : AccessLogStream.TENANTS) {
            long want = expected.byTenant().getOrDefault(tenant, 0L);
            System.out.printf("%-8s %9d %9s %9s %9s %9s %9s%n", tenant, want, cell(stored.get("cls"), tenant, want),
                    cell(stored.get("ai"), tenant, want), cell(stored.get("es"), tenant, want),
                    cell(stored.get("ch"), tenant, want),
                    cell(stored.get("bot"), tenant, expected.botsByTenant().getOrDefault(tenant, 0L)));
        }
        System.out.println();
        for (SinkReadBack.Stored s : stored.values()) {
            Map<String, Long> want = s.sink().equals("bot") ? expected.botsByTenant() : expected.byTenant();
            boolean match = s.distinctByTenant().equals(want);
            String how = switch (s.sink()) {
                case "cls" -> "logs in the endpoint's store, distinct ids per tenant topic";
                case "ai", "bot" -> "distinct ids read by a separate consumer; log end "
                        + (s.sink().equals("ai") ? aiEnd : botEnd);
                case "es" -> "_count over raw HTTP";
                default -> "count() FROM " + names.table() + " FINAL over raw HTTP; raw rows " + s.raw();
            };
            if (s.sink().equals("es")) {
                // per index, not per tenant: every day's index must hold exactly that day's records
                Map<String, Long> perIndex = s.byIndex();
                match = perIndex.equals(expectedIndices) && s.raw() == expected.good();
                how += ", " + perIndex.size() + " indices, " + s.raw() + " documents under " + names.indexPrefix() + "*";
            }
            long total = want.values().stream().mapToLong(Long::longValue).sum();
            long duplicates = Math.max(0, s.raw() - s.distinct());
            System.out.printf("CHECK %-4s %8d of %8d %s (%s; %d duplicates)%n", s.sink(), s.distinct(), total,
                    match ? "OK  " : "DIFF", how, duplicates);
            ok &= match;
        }
        boolean deadOk = dead.count() == expected.deadLetters() && dead.withoutReason() == 0;
        System.out.printf("CHECK dlt  %8d of %8d %s (by reason: %s)%n", dead.count(), expected.deadLetters(),
                deadOk ? "OK  " : "DIFF", dead.byReason());
        System.out.printf("CHECK lag  %8d source partitions behind their log end %s (committed offsets read with Admin)%n",
                behind, behind == 0 ? "OK" : "DIFF");
        if (services.clsEndpoint() == null) {
            System.out.println("CHECK cls  not read back: the real service (its written count: "
                    + sinkStats.get("cls").written() + ")");
        }
        ok &= deadOk && behind == 0;
        long duplicates = stored.values().stream().mapToLong(s -> Math.max(0, s.raw() - s.distinct())).sum();
        StringBuilder line = new StringBuilder("SUMMARY ").append(ok ? "OK" : "FAILED").append(" records=").append(expected.produced());
        for (SinkReadBack.Stored s : stored.values()) {
            line.append(' ').append(s.sink()).append('=').append(s.distinct());
        }
        line.append(" dead_letters=").append(dead.count()).append(" duplicates=").append(duplicates)
                .append(" partitions_behind=").append(behind)
                .append(" faults=").append(faults.isEmpty() ? "none" : String.join(",", faultNames(faults)))
                .append(String.format(" duration=%.1fs throughput=%.0f rec/s", seconds, expected.produced() / seconds));
        System.out.println(line);
        return new Summary(ok, expected, stored, dead, behind, faults, scrape, sinkStats, maxHeld, seconds);
    }

    private static List<String> faultNames(List<String> events) {
        List<String> names = new ArrayList<>();
        for (String e : events) {
            String name = e.substring(e.indexOf(' ') + 1, e.indexOf(':'));
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static String cell(SinkReadBack.Stored s, String tenant, long want) {
        if (s == null) {
            return "-";
        }
        long got = s.distinctByTenant().getOrDefault(tenant, 0L);
        return got == want ? Long.toString(got) : got + "!";
    }

    /** Keeps everything up until Ctrl-C, printing where to look. */
    private static void hold(DemoServices services, MetricsEndpoint metrics, AccessLogPipeline.Names names,
                             Syncer syncer) throws InterruptedException {
        System.out.println("HOLD the pipeline and the services stay up until Ctrl-C:");
        System.out.println("  Prometheus page  " + metrics.url());
        System.out.println("  OpenSearch       " + services.openSearchUrl + "/" + names.indexPrefix() + "*/_search?q=status:500");
        System.out.println("  ClickHouse       " + services.clickHouse.httpUrl() + "/?query=SELECT+appid,count()+FROM+"
                + names.table() + "+FINAL+GROUP+BY+appid");
        System.out.println("  Kafka            " + services.bootstrapServers + " topics " + names.ai() + ", " + names.bot()
                + ", " + names.deadLetters());
        System.out.println("  CLS endpoint     " + services.clsUrl);
        // Ctrl-C: the JVM runs its shutdown hooks and exits, so the hook itself stops the pipeline and the services
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("HOLD released: closing the pipeline and stopping the services");
            try {
                syncer.close(Duration.ofSeconds(30));
            } finally {
                services.close();
            }
        }, "demo-hold-release"));
        new CountDownLatch(1).await();
    }

    private static HttpHost host(String url) {
        URI u = URI.create(url);
        return new HttpHost(u.getScheme(), u.getHost(), u.getPort() == -1 ? ("https".equals(u.getScheme()) ? 443 : 80) : u.getPort());
    }

    private static void put(String url, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT " + url + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
