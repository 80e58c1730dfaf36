package io.syncer.benchmarks;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.test.ChildProcessKafkaBroker;
import io.syncer.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark suite: every scenario runs its baseline and syncer in this one process, alternating,
 * after a warm-up, and reports medians and the ratio syncer/baseline with process CPU seconds and
 * peak heap. The broker runs in a child JVM ({@link ChildProcessKafkaBroker}) so CPU time is the
 * clients'. Data sets are produced once per scenario and read again by every repetition with a
 * fresh consumer group.
 *
 * <p>{@code --quick} runs small data sets once (CI checks that the suite works, not the numbers).
 * {@code --bootstrap-servers} runs against an existing cluster.
 */
public final class BenchmarkSuite {
    private static final int RECORD_BYTES = 200;
    final boolean quick;
    final String bootstrap;
    final Admin admin;
    private final List<String> table = new ArrayList<>();

    private List<String> only = List.of();
    /** {@code --trace}: timelines and per-call detail where a scenario has them. */
    boolean trace;
    /** {@code --p8 1.0:64}: P8's one case (Zipf exponent and partitions), or {@code null} for all. */
    String p8Case;

    private boolean selected(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    private BenchmarkSuite(boolean quick, String bootstrap) {
        this.quick = quick;
        this.bootstrap = bootstrap;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    /**
     * Runs the suite.
     *
     * @param args {@code [--quick] [--only P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11,P12,tracker] [--trace] [--p8 exponent:partitions]
     *     [--bootstrap-servers host:port]}
     * @throws Exception on a failure
     */
    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        String bootstrap = null;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--bootstrap-servers")) {
                bootstrap = args[i + 1];
            }
        }
        ChildProcessKafkaBroker broker = null;
        if (bootstrap == null) {
            broker = ChildProcessKafkaBroker.start();
            bootstrap = broker.bootstrapServers();
        }
        try {
            BenchmarkSuite suite = new BenchmarkSuite(quick, bootstrap);
            for (int i = 0; i < args.length - 1; i++) {
                if (args[i].equals("--only")) {
                    suite.only = List.of(args[i + 1].split(","));
                }
                if (args[i].equals("--p8")) {
                    suite.p8Case = args[i + 1];
                }
            }
            suite.trace = List.of(args).contains("--trace");
            suite.run();
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("syncer benchmarks %s, %s, JDK %s, %d cores, max heap %d MB%n", quick ? "(quick)" : "",
                LocalDate.now(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024));
        table.add("| scenario | variant | records | median rec/s | median CPU s | peak heap MB | rec/s ratio | CPU ratio |");
        table.add("|---|---|---|---|---|---|---|---|");
        if (selected("P1")) {
            consumeOnly();
        }
        if (selected("P2")) {
            ioBound();
        }
        if (selected("P3")) {
            forward();
        }
        if (selected("P4")) {
            memory();
        }
        if (selected("P5")) {
            new ClickHouseScenario(this).run();
        }
        if (selected("P6")) {
            new ClsScenario(this).run();
        }
        if (selected("P7")) {
            new ShareGroupScenario(this).run();
        }
        if (selected("P8")) {
            new SkewedKeysScenario(this).run();
        }
        if (selected("P9")) {
            new IdleScenario(this).run();
        }
        if (selected("P10")) {
            new ScaleOutScenario(this).run();
        }
        if (selected("P11")) {
            new OpenSearchScenario(this).run();
        }
        if (selected("P12")) {
            new HotKeyScenario(this).run();
        }
        if (selected("tracker")) {
            tracker();
        }
        System.out.println();
        table.forEach(System.out::println);
        System.out.println("BENCHMARKS DONE");
    }

    // ------------------------------------------------------------------ P1

    /** P1: consume-only, a bare poll loop that counts vs a pipeline with a no-op sink, KEY order. */
    private void consumeOnly() throws Exception {
        int records = quick ? 50_000 : 1_000_000;
        String topic = KafkaBroker.uniqueName("p1");
        KafkaBroker.createTopic(admin, topic, 6);
        produce(topic, records, 10_000);
        // 7 repetitions: a repetition takes about 1.5 s, and on two shared cores single ones scatter by a quarter
        compare("P1 consume-only", records, 7,
                "bare poll loop, commitAsync per poll", () -> bareLoop(topic, records),
                "syncer, no-op sink, KEY order", () -> syncerNoop(topic, records), () -> 0);
    }

    private long bareLoop(String topic, int records) {
        Map<String, Object> p = consumerProps(KafkaBroker.uniqueName("bare"));
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            while (seen < records) {
                ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(100));
                seen += batch.count();
                c.commitAsync();
            }
            c.commitSync();
        }
        return seen;
    }

    private long syncerNoop(String topic, int records) throws Exception {
        AtomicLong done = new AtomicLong();
        Sink<ConsumerRecord<byte[], byte[]>> noop = new Sink<>() {
            @Override
            public String name() {
                return "noop";
            }

            @Override
            public BatchPolicy batchPolicy() {
                return BatchPolicy.builder().maxRecords(500).linger(Duration.ofMillis(1)).maxInFlight(4).build();
            }

            @Override
            public CompletionStage<List<SinkResult>> write(List<SinkRecord<ConsumerRecord<byte[], byte[]>>> batch) {
                done.addAndGet(batch.size());
                return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), SinkResult.ok()));
            }
        };
        Syncer syncer = Syncer.builder(RecordDecoder.identity())
                .consumer(consumer(KafkaBroker.uniqueName("syncer"), topic))
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.KEY).build())
                .sink(noop).build();
        syncer.start();
        long t0 = System.nanoTime();
        long lastTrace = t0;
        while (done.get() < records) {
            Thread.sleep(5);
            if (trace && System.nanoTime() - lastTrace >= 100_000_000L) {
                lastTrace = System.nanoTime();
                io.syncer.consume.GroupHealth h = syncer.health();
                System.out.printf("    t=%5d ms done %8d queued %6d paused %d%n", (lastTrace - t0) / 1_000_000,
                        done.get(), h.queuedRecords(), h.pausedPartitions().size());
            }
        }
        if (trace) {
            System.out.println("    context switches per 1,000 records by thread: " + contextSwitches(records));
        }
        syncer.close(Duration.ofSeconds(30));
        return done.get();
    }

    /** Linux only: voluntary and involuntary context switches of syncer's live threads, per 1,000 records. */
    private static String contextSwitches(int records) {
        StringBuilder out = new StringBuilder();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return "(no /proc)";
        }
        for (java.io.File task : tasks) {
            try {
                String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
                if (!name.startsWith("syncer-")) {
                    continue;
                }
                long switches = 0;
                for (String line : java.nio.file.Files.readAllLines(task.toPath().resolve("status"))) {
                    if (line.contains("ctxt_switches")) {
                        switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                out.append(String.format(" %s=%.1f", name, switches * 1000.0 / records));
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ P2

    /** The "remote call" of P2: a 2 ms wait that holds no thread, completed by a timer thread. */
    private static final ScheduledExecutorService IO_TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-io-timer");
        t.setDaemon(true);
        return t;
    });

    static CompletableFuture<Void> remoteCall() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        IO_TIMER.schedule(() -> f.complete(null), 2, TimeUnit.MILLISECONDS);
        return f;
    }

    /**
     * P2: I/O-bound work, 2 ms per record, 10,000 keys, KEY order, at the same concurrency: Parallel
     * Consumer (its core API runs the function on one of {@code maxConcurrency} threads, which waits
     * for the call) vs syncer's queue worker (the call's stage is returned, no thread waits).
     */
    private void ioBound() throws Exception {
        int records = quick ? 5_000 : 100_000;
        int[] concurrencies = quick ? new int[] {64} : new int[] {16, 64, 256};
        // no one can beat concurrency / latency: measure the call's real latency for the ceiling
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            remoteCall().join();
        }
        double callMs = (System.nanoTime() - t0) / 1e6 / 200;
        for (int concurrency : concurrencies) {
            String row = String.format("| P2 ceiling, concurrency %d | concurrency / call latency (%.2f ms) | - | %.0f | - | - | - | - |",
                    concurrency, callMs, concurrency * 1000 / callMs);
            table.add(row);
            System.out.println(row);
        }
        for (int partitions : new int[] {1, 6}) {
            String topic = KafkaBroker.uniqueName("p2-" + partitions);
            KafkaBroker.createTopic(admin, topic, partitions);
            produce(topic, records, 10_000);
            for (int concurrency : concurrencies) {
                compare("P2 2 ms I/O, " + partitions + " partition(s), concurrency " + concurrency, records,
                        "Parallel Consumer 0.5.3.3, KEY order", () -> parallelConsumer(topic, records, concurrency),
                        "syncer queue worker, KEY order", () -> syncerIo(topic, records, concurrency));
            }
            if (partitions == 6) {
                // issue 14, target 2: the CPU of waiting against a loop that does nothing but wait
                for (int concurrency : concurrencies) {
                    compare("P2 2 ms I/O vs a bare loop, 6 partitions, concurrency " + concurrency, records,
                            "bare poll loop, " + concurrency + " calls in flight, commitAsync per poll",
                            () -> bareIoLoop(topic, records, concurrency),
                            "syncer queue worker, KEY order", () -> syncerIo(topic, records, concurrency));
                }
            }
        }
    }

    /**
     * The least a consumer can do for I/O-bound work: poll, start each record's call while at most
     * {@code concurrency} are in flight, {@code commitAsync} after each poll. No ordering, and it commits records
     * still in flight (at most once): the floor of the CPU that waiting costs, not a safe design.
     */
    private long bareIoLoop(String topic, int records, int concurrency) throws Exception {
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(concurrency);
        AtomicLong done = new AtomicLong();
        long started = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(KafkaBroker.uniqueName("bare-io")))) {
            c.subscribe(List.of(topic));
            while (started < records) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    slots.acquire();
                    started++;
                    remoteCall().whenComplete((ignored, error) -> {
                        done.incrementAndGet();
                        slots.release();
                    });
                }
                c.commitAsync();
            }
            while (done.get() < records) {
                Thread.sleep(1);
            }
            c.commitSync();
        }
        return done.get();
    }

    private long parallelConsumer(String topic, int records, int concurrency) throws Exception {
        AtomicLong done = new AtomicLong();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(KafkaBroker.uniqueName("pc")));
        ParallelStreamProcessor<byte[], byte[]> pc = ParallelStreamProcessor.createEosStreamProcessor(
                ParallelConsumerOptions.<byte[], byte[]>builder()
                        .consumer(consumer)
                        .ordering(ParallelConsumerOptions.ProcessingOrder.KEY)
                        .commitMode(ParallelConsumerOptions.CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                        .maxConcurrency(concurrency)
                        .build());
        pc.subscribe(List.of(topic));
        pc.poll(context -> {
            remoteCall().join();
            done.incrementAndGet();
        });
        while (done.get() < records) {
            Thread.sleep(5);
        }
        pc.close();
        return done.get();
    }

    private long syncerIo(String topic, int records, int concurrency) throws Exception {
        AtomicLong done = new AtomicLong();
        QueueWorker<ConsumerRecord<byte[], byte[]>> queue = QueueWorker.create(
                QueueWorkerConfig.builder().workers(2).maxInFlight(concurrency).ordering(OrderingMode.KEY).build(),
                RecordDecoder.identity(),
                (workerId, record) -> remoteCall().thenRun(done::incrementAndGet));
        ConsumerGroupManager manager = ConsumerGroupManager.create(consumer(KafkaBroker.uniqueName("syncer"), topic), queue);
        manager.start();
        while (done.get() < records) {
            Thread.sleep(5);
        }
        manager.close(Duration.ofSeconds(30));
        return done.get();
    }

    // ------------------------------------------------------------------ P3

    /** P3: Kafka to Kafka, a hand-written consume-produce loop (commit after send) vs the Kafka sink. */
    private void forward() throws Exception {
        int records = quick ? 30_000 : 300_000;
        String topic = KafkaBroker.uniqueName("p3");
        KafkaBroker.createTopic(admin, topic, 6);
        produce(topic, records, 10_000);
        compare("P3 forward", records,
                "hand loop: poll, send, flush, commitSync", () -> handForward(topic, records),
                "syncer-sink-kafka, KEY order", () -> syncerForward(topic, records));
    }

    private long handForward(String topic, int records) throws Exception {
        String out = KafkaBroker.uniqueName("p3-out-bare");
        KafkaBroker.createTopic(admin, out, 6);
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(KafkaBroker.uniqueName("bare")));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
            c.subscribe(List.of(topic));
            while (seen < records) {
                ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    producer.send(new ProducerRecord<>(out, r.key(), r.value()));
                }
                producer.flush();
                c.commitSync();
                seen += batch.count();
            }
        }
        return seen;
    }

    private long syncerForward(String topic, int records) throws Exception {
        String out = KafkaBroker.uniqueName("p3-out-syncer");
        KafkaBroker.createTopic(admin, out, 6);
        Map<String, Object> props = producerProps();
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(props).build())) {
            Syncer syncer = Syncer.builder(RecordDecoder.identity())
                    .consumer(consumer(KafkaBroker.uniqueName("syncer"), topic))
                    .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.KEY).build())
                    .sink(KafkaSink.<ConsumerRecord<byte[], byte[]>>builder("out", producers).topic(out).build())
                    .build();
            syncer.start();
            while (endSum(out) < records) {
                Thread.sleep(20);
            }
            syncer.close(Duration.ofSeconds(30));
        }
        return endSum(out);
    }

    // ------------------------------------------------------------------ P4

    /**
     * Heap a P4 child gets beyond its queue bound: idle heap, the consumer's fetch buffers and the
     * per-record objects around the queued bytes. Measured (docs/benchmarks.md), then enforced:
     * the child runs with {@code -Xmx} = bound + this, and an {@link OutOfMemoryError} fails the suite.
     */
    private static final int P4_ALLOWANCE_MB = 64;

    /**
     * P4: a backlog far larger than the queue and a slow sink. The pipeline runs in a child JVM
     * ({@link MemoryProbe}) whose heap is capped at the queue bound plus {@link #P4_ALLOWANCE_MB}; it
     * reports its peak live heap, which must stay within that cap for the run to finish at all.
     */
    private void memory() throws Exception {
        int records = quick ? 100_000 : 5_000_000; // 20 MB / 1 GB of records
        String topic = KafkaBroker.uniqueName("p4");
        KafkaBroker.createTopic(admin, topic, 6);
        produce(topic, records, 10_000);
        long backlogMb = (long) records * RECORD_BYTES / (1000 * 1000);
        int seconds = quick ? 5 : 30;
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("syncer-p4");
        for (int boundMb : quick ? new int[] {32} : new int[] {32, 128}) {
            int capMb = boundMb + P4_ALLOWANCE_MB;
            Process child = io.syncer.test.ChildJvm.start(MemoryProbe.class, dir, List.of("-Xmx" + capMb + "m",
                            "-Dprobe.histogram=" + Boolean.getBoolean("probe.histogram")),
                    bootstrap, topic, KafkaBroker.uniqueName("p4-" + boundMb), Integer.toString(seconds),
                    Long.toString(boundMb * 1024L * 1024L));
            if (!child.waitFor(seconds + 120L, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException("P4 child did not finish; see " + dir.resolve("child.out"));
            }
            List<String> out = java.nio.file.Files.readAllLines(dir.resolve("child.out"));
            String probe = out.stream().filter(l -> l.startsWith("PROBE ")).findFirst().orElse(null);
            if (child.exitValue() != 0 || probe == null) {
                throw new IllegalStateException("P4 child with -Xmx" + capMb + "m failed (exit " + child.exitValue()
                        + "): " + String.join("\n", out.subList(Math.max(0, out.size() - 20), out.size())));
            }
            System.out.println("  child output: " + dir.resolve("child.out"));
            String[] f = probe.split(" ");
            double idle = Double.parseDouble(f[1]);
            double live = Double.parseDouble(f[2]);
            double queuedMb = Double.parseDouble(f[3]);
            long queuedRecords = Long.parseLong(f[4]);
            long done = Long.parseLong(f[5]);
            double secs = Double.parseDouble(f[6]);
            String row = String.format("| P4 memory (backlog %d MB, slow sink) | syncer, queue bound %d MB, -Xmx%dm | %d in %.0f s | %.0f | - "
                            + "| live %.0f (idle %.0f) | peak queued %.1f MB in %d records | live - idle - bound = %.0f MB |",
                    backlogMb, boundMb, capMb, done, secs, done / secs, live, idle, queuedMb, queuedRecords, live - idle - boundMb);
            table.add(row);
            System.out.println(row);
        }
    }

    // ------------------------------------------------------------------ tracker

    /** The offset tracker's per-record cost at 10^5, 10^6 and 10^7 tracked records (JMH). */
    private void tracker() throws Exception {
        Options options = new OptionsBuilder()
                .include(OffsetTrackerBenchmark.class.getSimpleName())
                .param("tracked", quick ? new String[] {"100000", "1000000"} : new String[] {"100000", "1000000", "10000000"})
                .forks(1)
                .jvmArgs("-Xmx2g")
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.milliseconds(quick ? 200 : 1_000))
                .measurementIterations(quick ? 1 : 5).measurementTime(TimeValue.milliseconds(quick ? 200 : 1_000))
                .build();
        double first = -1;
        for (RunResult r : new Runner(options).run()) {
            double ns = r.getPrimaryResult().getScore();
            String tracked = r.getParams().getParam("tracked");
            if (first < 0) {
                first = ns;
            }
            String row = String.format("| tracker (JMH) | %s records tracked | - | %.1f ns/record | - | - | %.2f x the 10^5 cost | - |",
                    tracked, ns, ns / first);
            table.add(row);
        }
    }

    // ------------------------------------------------------------------ harness

    void compare(String scenario, int records, String baselineName, Measurement.Body baseline,
                 String syncerName, Measurement.Body syncer) throws Exception {
        compare(scenario, records, baselineName, baseline, syncerName, syncer, () -> 0);
    }

    /** {@link #compare} leaving out the CPU of an in-process server both sides use alike. */
    void compare(String scenario, int records, String baselineName, Measurement.Body baseline,
                 String syncerName, Measurement.Body syncer, java.util.function.DoubleSupplier foreignCpu) throws Exception {
        compare(scenario, records, 3, baselineName, baseline, syncerName, syncer, foreignCpu);
    }

    /** {@link #compare} with {@code fullReps} repetitions each (short runs whose repetitions scatter need more). */
    void compare(String scenario, int records, int fullReps, String baselineName, Measurement.Body baseline,
                 String syncerName, Measurement.Body syncer, java.util.function.DoubleSupplier foreignCpu) throws Exception {
        int reps = quick ? 1 : fullReps;
        System.out.printf("%s: %d records, warm-up then %d repetitions each, alternating%n", scenario, records, reps);
        Measurement.of(baseline, foreignCpu);
        Measurement.of(syncer, foreignCpu);
        List<Measurement> base = new ArrayList<>();
        List<Measurement> ours = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            base.add(Measurement.of(baseline, foreignCpu));
            ours.add(Measurement.of(syncer, foreignCpu));
            System.out.printf("  rep %d: baseline %.0f rec/s, syncer %.0f rec/s%n", i + 1,
                    base.get(i).recordsPerSecond(), ours.get(i).recordsPerSecond());
        }
        double b = Measurement.median(base.stream().map(Measurement::recordsPerSecond).toList());
        double s = Measurement.median(ours.stream().map(Measurement::recordsPerSecond).toList());
        double bCpu = Measurement.median(base.stream().map(Measurement::cpuSeconds).toList());
        double sCpu = Measurement.median(ours.stream().map(Measurement::cpuSeconds).toList());
        row(scenario, baselineName, records, base, "1.00", "1.00");
        row(scenario, syncerName, records, ours, String.format("**%.2f**", s / b), String.format("%.2f", sCpu / bCpu));
    }

    /** Adds a line to the result table (and prints it). */
    void addRow(String row) {
        table.add(row);
        System.out.println(row);
    }

    private void row(String scenario, String variant, int records, List<Measurement> ms, String ratio, String cpuRatio) {
        String row = String.format("| %s | %s | %d | %.0f | %.2f | %.0f | %s | %s |", scenario, variant, records,
                Measurement.median(ms.stream().map(Measurement::recordsPerSecond).toList()),
                Measurement.median(ms.stream().map(Measurement::cpuSeconds).toList()),
                Measurement.median(ms.stream().map(Measurement::peakHeapMb).toList()), ratio, cpuRatio);
        table.add(row);
        System.out.println(row);
    }

    void produce(String topic, int records, int keys) {
        Map<String, Object> props = producerProps();
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        byte[] value = new byte[RECORD_BYTES - 8];
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(props).build())) {
            for (int start = 0; start < records; start += 10_000) {
                List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (int i = start; i < Math.min(records, start + 10_000); i++) {
                    batch.add(new ProducerRecord<>(topic, String.format("k%07d", i % keys).getBytes(StandardCharsets.UTF_8), value));
                }
                for (SendResult r : producers.sendAll(batch)) {
                    if (!r.succeeded()) {
                        throw new IllegalStateException("producing the data set failed", r.error());
                    }
                }
            }
        }
    }

    /** The access log of record {@code i} of the sink scenarios (P5, P11): 40 tenants, 997 paths, 2 % errors. */
    static Map<String, Object> accessLog(int i) {
        return Map.of("ts", 1_700_000_000L + i / 100, "appid", "t" + (i % 40), "path", "/api/v1/items/" + (i % 997),
                "status", i % 50 == 0 ? 500 : 200, "bytes", 512 + i % 4096);
    }

    /**
     * Produces {@code records} JSON values, keyed {@code k<i>}, built by {@code value} from their
     * index: the data set of a sink scenario.
     */
    void produceJson(String topic, int records, java.util.function.IntFunction<Map<String, Object>> value) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, Object> props = producerProps();
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(props).build())) {
            for (int start = 0; start < records; start += 10_000) {
                List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (int i = start; i < Math.min(records, start + 10_000); i++) {
                    batch.add(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                            json.writeValueAsBytes(value.apply(i))));
                }
                for (SendResult r : producers.sendAll(batch)) {
                    if (!r.succeeded()) {
                        throw new IllegalStateException("producing the data set failed", r.error());
                    }
                }
            }
        }
    }

    ConsumerGroupConfig consumer(String group, String topic) {
        return ConsumerGroupConfig.builder().groupId(group).topics(topic).bootstrapServers(bootstrap).build();
    }

    /**
     * The baselines' consumer: commits by hand (after each poll, or after each send), with the fetch
     * settings syncer's consumer gets by default, so both sides fetch alike.
     */
    Map<String, Object> consumerProps(String group) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, ConsumerGroupConfig.DEFAULT_FETCH_MAX_WAIT_MS);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    Map<String, Object> producerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    private long endSum(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
    }

}
