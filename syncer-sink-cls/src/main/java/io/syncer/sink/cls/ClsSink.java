package io.syncer.sink.cls;

import com.tencentcloudapi.cls.producer.AsyncProducerClient;
import com.tencentcloudapi.cls.producer.AsyncProducerConfig;
import com.tencentcloudapi.cls.producer.common.Constants;
import com.tencentcloudapi.cls.producer.common.LogItem;
import com.tencentcloudapi.cls.producer.errors.ProducerException;
import io.syncer.SyncerException;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkBuilder;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkSettings;
import io.syncer.sink.SinkThreads;
import io.syncer.sink.SinkWriteException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads records to Tencent Cloud CLS as structured logs, through the official producer SDK
 * ({@code tencentcloud-cls-sdk-java}), to the topic the router chose per record (a tenant's topic,
 * see {@link ClsResources}) or the sink's default topic.
 *
 * <p>Per batch, each record is mapped ({@link LogMapper}) and checked against what CLS would reject
 * for a whole request, so one bad record fails alone: a value over {@link #MAX_VALUE_BYTES}, an
 * empty key or one starting with {@code _}, a log over {@link #MAX_CALL_BYTES}. The records of each
 * topic are then uploaded in calls of at most {@link #MAX_LOGS_PER_CALL} logs and
 * {@link #MAX_CALL_BYTES} bytes, one HTTP request each.
 *
 * <p>Outcomes, per call, from the SDK's callback (which only hands the result to this sink's own
 * thread, {@code syncer-sink-<name>-results}):
 * <ul>
 *   <li>429 (SpeedQuotaExceed), 5xx, network errors and timeouts: retried by core's
 *       {@link io.syncer.failure.RetryPolicy}, the only retry layer (the SDK's own retries are set
 *       to 0, so its backoff never stacks on core's and a failure is reported at once).</li>
 *   <li>400 and 413: the call is split in halves until the record at fault is alone; it fails
 *       (dead letter), its neighbours are uploaded. 404 (TopicNotExists): the call's records fail.
 *       A dead letter carries the CLS error code, message and request id as
 *       {@code syncer.dlt.detail.cls.*} headers.</li>
 *   <li>401 (AuthFailure): the sink cannot write at all, which is not the records' fault: they are
 *       held un-acknowledged, core probes with a growing backoff, the pipeline's {@code health()}
 *       lists the sink in {@code sinkOutages} with the reason, and nothing is dead-lettered.
 *       {@link #updateCredentials} (or a fixed key on the server) ends it. 403 (no permission on a
 *       topic) holds only that topic's records the same way; the other topics go on.</li>
 * </ul>
 *
 * <p>Delivery is at least once. A request that timed out may have been stored by CLS and is sent
 * again: duplicates. The SDK never blocks a syncer thread: {@code maxBlockMs} is 0, and a full SDK
 * buffer ({@link Builder#bufferBytes}) is a retriable failure. Memory is bounded by core's queue
 * plus that buffer. The sink creates the SDK client and closes it in {@link #close()}, flushing what
 * it holds within {@link Builder#closeTimeout}.
 *
 * <p>Secrets: the credentials never appear in {@link #toString()}, logs or exceptions.
 *
 * @param <T> the item type
 */
public final class ClsSink<T> implements Sink<T> {
    /** The longest value CLS takes: 1 MiB of UTF-8. */
    public static final int MAX_VALUE_BYTES = 1024 * 1024;
    /** Logs per upload call at most (CLS: 10,000 per log group). */
    public static final int MAX_LOGS_PER_CALL = 10_000;
    /** UTF-8 bytes of keys and values per upload call at most: below CLS's 5 MB per log group and 6 MB per request. */
    public static final int MAX_CALL_BYTES = 4 * 1024 * 1024;
    /**
     * Default {@link SinkBuilder#batchPolicy}: 2,048 records or 4 MiB, 200 ms linger, 4 batches in
     * flight (4 batches of 2,048 fit the pipeline's default 10,000 records in flight). A batch is split per topic, so with many tenants each request holds a share of it.
     */
    public static final BatchPolicy DEFAULT_BATCH_POLICY = BatchPolicy.builder().maxRecords(2_048)
            .maxBytes(4L * 1024 * 1024).linger(Duration.ofMillis(200)).maxInFlight(4).build();
    /** Default {@link Builder#bufferBytes}: 64 MiB, the SDK's memory bound for logs not yet answered. */
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024;
    /** Default {@link Builder#sendThreads}: 4 HTTP send threads. */
    public static final int DEFAULT_SEND_THREADS = 4;
    /** Default {@link Builder#closeTimeout}: 10 s. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ClsSink.class);
    /** What a CLS topic id may be (they are UUIDs); checked once per topic per batch. */
    private static final java.util.regex.Pattern TOPIC_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** Per log, the SDK's protobuf framing; counted so a call stays below {@link #MAX_CALL_BYTES}. */
    private static final int LOG_OVERHEAD_BYTES = 16;

    private final SinkSettings settings;
    private final String name;
    private final String endpoint;
    private final LogMapper<T> mapper;
    private final ClientSettings clientSettings;
    private final ExecutorService results;
    private final Duration closeTimeout;
    /** The SDK client and the credentials it signs with; replaced together by {@link #updateCredentials}. */
    private volatile AsyncProducerClient client;
    private volatile ClsCredentials credentials;

    private ClsSink(Builder<T> b) {
        this.settings = b.settings();
        this.name = settings.name();
        this.endpoint = b.endpoint;
        this.mapper = b.mapper;
        this.credentials = b.credentials;
        this.closeTimeout = b.closeTimeout;
        if (b.connectTimeout != null) {
            // process-wide statics in the SDK: the last sink built with timeouts sets them for all
            Constants.HTTP_CONNECT_TIME_OUT = (int) b.connectTimeout.toMillis();
            Constants.HTTP_SEND_TIME_OUT = (int) b.readTimeout.toMillis();
        }
        this.clientSettings = new ClientSettings(b.endpoint, b.sourceIp, b.bufferBytes, b.sendThreads);
        this.results = Executors.newSingleThreadExecutor(SinkThreads.factory(name, "results"));
        this.client = newClient(clientSettings, credentials);
    }

    /** What every SDK client of this sink is made with, besides the credentials. */
    private record ClientSettings(String endpoint, String sourceIp, int bufferBytes, int sendThreads) {
    }

    /** An SDK client set up so that core owns batching, retries and backpressure. */
    private static AsyncProducerClient newClient(ClientSettings s, ClsCredentials credentials) {
        AsyncProducerConfig config = new AsyncProducerConfig(s.endpoint, credentials.secretId(), credentials.secretKey(),
                s.sourceIp, credentials.token());
        config.setTotalSizeInBytes(s.bufferBytes);
        config.setMaxBlockMs(0);                 // never block a syncer thread: a full buffer is a retriable failure
        config.setSendThreadCount(s.sendThreads);
        config.setBatchCountThreshold(1);        // every putLogs call leaves at once, alone: core already batched
        config.setBatchSizeThresholdInBytes(Constants.MAX_BATCH_SIZE_IN_BYTES);
        config.setLingerMs(100);                 // the SDK's minimum; unused with a threshold of 1
        config.setRetries(0);                    // core's RetryPolicy is the one retry layer
        config.setMaxReservedAttempts(2);
        config.setBaseRetryBackoffMs(100);
        config.setMaxRetryBackoffMs(1_000);
        return new AsyncProducerClient(config);
    }

    /**
     * A builder for a sink uploading to {@code endpoint} with {@code credentials}.
     *
     * @param <T> the item type
     * @param name the sink's name, used in routes
     * @param endpoint the region's endpoint with its scheme, e.g. {@code https://ap-guangzhou.cls.tencentcs.com};
     *     a bare IP address needs a port ({@code http://127.0.0.1:8080})
     * @param credentials the API key (see {@link ClsCredentials#fromEnvironment()})
     * @return the builder
     */
    public static <T> Builder<T> builder(String name, String endpoint, ClsCredentials credentials) {
        return new Builder<>(name, endpoint, credentials);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchPolicy batchPolicy() {
        return settings.batchPolicy();
    }

    /**
     * Replaces the credentials for the next uploads (key rotation, renewed STS tokens, or a corrected
     * key after an {@code AuthFailure} outage). A new SDK client takes over at once; the old one
     * finishes the uploads it holds, within {@link Builder#closeTimeout}, on a thread of its own
     * ({@code syncer-sink-<name>-retire}). (The SDK's own {@code resetSecurityToken} accepts only
     * temporary credentials and sets plain fields its send threads may not see.)
     *
     * @param next the new credentials
     */
    public synchronized void updateCredentials(ClsCredentials next) {
        Objects.requireNonNull(next, "next");
        AsyncProducerClient old = client;
        this.client = newClient(clientSettings, next);
        this.credentials = next;
        LOG.info("sink {}: CLS credentials replaced (secretId {})", name, next.maskedId());
        SinkThreads.newThread("syncer-sink-" + name + "-retire", () -> closeClient(old)).start();
    }

    private void closeClient(AsyncProducerClient c) {
        try {
            c.close(Math.max(1, closeTimeout.toMillis())); // never 0: the SDK would wait forever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProducerException e) {
            LOG.warn("sink {}: a retired CLS client did not flush within {}: {}", name, closeTimeout, e.toString());
        }
    }

    @Override
    public CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) {
        SinkResult[] out = new SinkResult[batch.size()];
        Map<String, List<Call>> calls = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            SinkRecord<T> record = batch.get(i);
            String topic = settings.destinationOf(record);
            if (topic == null) {
                out[i] = settings.noDestination();
                continue;
            }
            List<Call> topicCalls = calls.get(topic);
            if (topicCalls == null) {
                if (!TOPIC_ID.matcher(topic).matches()) {
                    out[i] = recordError(topic, "goes to '" + topic + "', which is not a CLS topic id", record);
                    continue;
                }
                topicCalls = new ArrayList<>();
                calls.put(topic, topicCalls);
            }
            Entry log = new Entry(record.source().timestamp());
            try {
                mapper.map(record, log);
            } catch (Rejected e) {
                out[i] = recordError(topic, e.getMessage(), record);
                continue;
            } catch (Exception e) {
                out[i] = SinkResult.fail(new SinkWriteException(name, "sink " + name + ": cannot map the record at "
                        + coordinates(record) + " to a CLS log: " + e, false, Map.of(), e));
                continue;
            }
            int bytes = log.bytes;
            LogItem item = log.item;
            if (bytes > MAX_CALL_BYTES) {
                out[i] = recordError(topic, "is " + bytes + " bytes: a CLS request holds at most " + MAX_CALL_BYTES, record);
                continue;
            }
            Call call = topicCalls.isEmpty() ? null : topicCalls.get(topicCalls.size() - 1);
            if (call == null || call.items.size() >= MAX_LOGS_PER_CALL || call.bytes + bytes > MAX_CALL_BYTES) {
                call = new Call(topic);
                topicCalls.add(call);
            }
            call.add(i, item, bytes);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (List<Call> topicCalls : calls.values()) {
            for (Call call : topicCalls) {
                sent.add(upload(call).thenAccept(rs -> {
                    for (int k = 0; k < rs.size(); k++) {
                        out[call.indexes.get(k)] = rs.get(k);
                    }
                }));
            }
        }
        if (sent.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(out));
        }
        return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> Arrays.asList(out));
    }

    /** Uploads one call; a content rejection of several logs splits it to find the one at fault. */
    private CompletableFuture<List<SinkResult>> upload(Call call) {
        CompletableFuture<com.tencentcloudapi.cls.producer.Result> answered = new CompletableFuture<>();
        try {
            // the callback runs on the SDK's one handler thread, which frees memory only after it: hand off at once
            this.client.putLogs(call.topic, call.items, answered::complete);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.completedFuture(call.all(ClsOutcome.thrown(name, call.topic, e).result()));
        } catch (ProducerException | RuntimeException e) {
            ClsOutcome thrown = ClsOutcome.thrown(name, call.topic, e);
            return thrown.kind == ClsOutcome.Kind.CONTENT && call.items.size() > 1 ? split(call)
                    : CompletableFuture.completedFuture(call.all(thrown.result()));
        }
        return answered.thenComposeAsync(result -> {
            if (result.isSuccessful()) {
                return CompletableFuture.completedFuture(call.all(SinkResult.ok()));
            }
            ClsOutcome outcome = ClsOutcome.of(name, call.topic, result);
            if (outcome.kind == ClsOutcome.Kind.CONTENT && call.items.size() > 1) {
                return split(call);
            }
            return CompletableFuture.completedFuture(call.all(outcome.result()));
        }, results);
    }

    private CompletableFuture<List<SinkResult>> split(Call call) {
        int half = call.items.size() / 2;
        return upload(call.slice(0, half)).thenCombine(upload(call.slice(half, call.items.size())), (a, b) -> {
            List<SinkResult> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        });
    }

    private SinkResult recordError(String topic, String problem, SinkRecord<T> record) {
        return SinkResult.fail(new SinkWriteException(name, "sink " + name + ": the log of " + coordinates(record) + " "
                + problem, false, Map.of(ClsOutcome.TOPIC, topic, ClsOutcome.CODE, "RejectedBeforeUpload"), null));
    }

    private static String coordinates(SinkRecord<?> record) {
        return record.source().topic() + "-" + record.source().partition() + "@" + record.source().offset();
    }

    private static int utf8Length(String s) {
        int n = s.length();
        if (n * 3 <= MAX_VALUE_BYTES) {
            // short strings: count without allocating
            int bytes = 0;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    bytes++;
                } else if (c < 0x800) {
                    bytes += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                } else {
                    bytes += 3;
                }
            }
            return bytes;
        }
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Flushes what the SDK holds (at most {@link Builder#closeTimeout}), then stops its threads and
     * this sink's result thread. Called once by the pipeline after its last batch.
     */
    @Override
    public synchronized void close() {
        try {
            client.close(Math.max(1, closeTimeout.toMillis())); // never 0: the SDK would wait forever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProducerException e) {
            throw new SyncerException("sink " + name + ": the CLS producer did not flush within " + closeTimeout, e);
        } finally {
            results.shutdown();
            try {
                results.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ClsSink{name=" + name + ", endpoint=" + endpoint + ", credentials=" + credentials + ", " + settings + '}';
    }

    /** One record's log being built: the SDK's item, written to directly, and its size so far. */
    private static final class Entry implements LogBuilder {
        final LogItem item;
        int bytes = LOG_OVERHEAD_BYTES;

        Entry(long kafkaTimestamp) {
            this.item = new LogItem(kafkaTimestamp >= 0 ? kafkaTimestamp : System.currentTimeMillis());
        }

        @Override
        public LogBuilder time(long epochMillis) {
            item.SetTime(epochMillis);
            return this;
        }

        @Override
        public LogBuilder field(String key, String value) {
            if (key == null || key.isEmpty() || key.charAt(0) == '_') {
                throw new Rejected("has the key '" + key + "': CLS keys must not be empty or start with '_'");
            }
            if (value == null) {
                throw new Rejected("has no value for '" + key + "'");
            }
            int valueBytes = utf8Length(value);
            if (valueBytes > MAX_VALUE_BYTES) {
                throw new Rejected("has a value of " + valueBytes + " bytes in '" + key + "': CLS takes at most " + MAX_VALUE_BYTES);
            }
            bytes += utf8Length(key) + valueBytes + 4;
            item.PushBack(key, value);
            return this;
        }
    }

    /** A field CLS would reject; fails its record before upload. */
    private static final class Rejected extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }
    }

    /** The logs of one topic going out in one {@code putLogs} call, and which batch records they are. */
    private static final class Call {
        final String topic;
        final List<LogItem> items;
        final List<Integer> indexes;
        long bytes;

        Call(String topic) {
            this(topic, new ArrayList<>(), new ArrayList<>());
        }

        private Call(String topic, List<LogItem> items, List<Integer> indexes) {
            this.topic = topic;
            this.items = items;
            this.indexes = indexes;
        }

        void add(int index, LogItem item, int itemBytes) {
            indexes.add(index);
            items.add(item);
            bytes += itemBytes;
        }

        Call slice(int from, int to) {
            return new Call(topic, new ArrayList<>(items.subList(from, to)), new ArrayList<>(indexes.subList(from, to)));
        }

        List<SinkResult> all(SinkResult r) {
            return Collections.nCopies(items.size(), r);
        }
    }

    /**
     * Validating builder with named defaults; not thread-safe.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> extends SinkBuilder<Builder<T>> {
        private final String endpoint;
        private final ClsCredentials credentials;
        private LogMapper<T> mapper = LogMapper.json();
        private String sourceIp;
        private int bufferBytes = DEFAULT_BUFFER_BYTES;
        private int sendThreads = DEFAULT_SEND_THREADS;
        private Duration connectTimeout;
        private Duration readTimeout;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

        private Builder(String name, String endpoint, ClsCredentials credentials) {
            super(name, "topic", DEFAULT_BATCH_POLICY);
            this.endpoint = validEndpoint(endpoint);
            this.credentials = Objects.requireNonNull(credentials, "credentials");
        }

        /**
         * The CLS topic for records whose route names none. Default: none (such records fail).
         *
         * @param topicId the topic id
         * @return this builder
         */
        public Builder<T> topic(String topicId) {
            return defaultDestination(topicId);
        }

        /**
         * How a record becomes a log. Default {@link LogMapper#json()}.
         *
         * @param mapper the mapper
         * @return this builder
         */
        public Builder<T> mapper(LogMapper<T> mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * The {@code source} of every log group (CLS shows it as the log's source IP). Default: this
         * host's first non-loopback IPv4 address, else {@code 127.0.0.1}; it is always passed, since
         * the SDK fails every upload on a host without one when it is left empty.
         *
         * @param ip an address or host name, not blank
         * @return this builder
         */
        public Builder<T> sourceIp(String ip) {
            if (ip == null || ip.isBlank()) {
                throw new IllegalArgumentException("sourceIp must not be blank");
            }
            this.sourceIp = ip;
            return this;
        }

        /**
         * The SDK's memory bound for logs handed to it and not yet answered ({@code totalSizeInBytes}).
         * A write that would exceed it fails retriably at once instead of blocking. Default
         * {@link #DEFAULT_BUFFER_BYTES}; it must hold at least two of the batch policy's batches.
         *
         * @param bytes at least 1 MiB
         * @return this builder
         */
        public Builder<T> bufferBytes(int bytes) {
            if (bytes < 1024 * 1024) {
                throw new IllegalArgumentException("bufferBytes must be at least 1 MiB, got " + bytes);
            }
            this.bufferBytes = bytes;
            return this;
        }

        /**
         * HTTP send threads of the SDK: requests in flight at once. Default {@link #DEFAULT_SEND_THREADS}.
         *
         * @param threads 1 to 64
         * @return this builder
         */
        public Builder<T> sendThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("sendThreads must be 1 to 64, got " + threads);
            }
            this.sendThreads = threads;
            return this;
        }

        /**
         * The SDK's HTTP connect and read timeouts. <b>Process-wide:</b> the SDK keeps them in static
         * fields, so the last sink built with this setting sets them for every CLS client in the JVM.
         * Default: not set, the SDK's 60 s and 60 s. A timed-out request is retried by core and may
         * have been stored, so it can arrive twice.
         *
         * @param connect more than zero, at most 10 minutes
         * @param read more than zero, at most 10 minutes
         * @return this builder
         */
        public Builder<T> httpTimeouts(Duration connect, Duration read) {
            this.connectTimeout = checkTimeout("connect", connect);
            this.readTimeout = checkTimeout("read", read);
            return this;
        }

        /**
         * How long {@link ClsSink#close()} waits for the SDK to flush. Default {@link #DEFAULT_CLOSE_TIMEOUT}.
         *
         * @param timeout more than zero
         * @return this builder
         */
        public Builder<T> closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive, got " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Validates and builds the sink, starting the SDK's threads.
         *
         * @return the sink
         * @throws IllegalArgumentException when the buffer cannot hold two batches
         */
        public ClsSink<T> build() {
            BatchPolicy policy = settings().batchPolicy();
            if (bufferBytes < 2 * Math.min(policy.maxBytes(), MAX_CALL_BYTES)) {
                throw new IllegalArgumentException("bufferBytes " + bufferBytes + " cannot hold two batches of "
                        + policy.maxBytes() + " bytes (the batch policy's maxBytes)");
            }
            if (sourceIp == null) {
                sourceIp = detectSourceIp();
            }
            return new ClsSink<>(this);
        }

        private static Duration checkTimeout(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException(what + " timeout must be more than 0 and at most 10 minutes, got " + d);
            }
            return d;
        }

        private static String validEndpoint(String endpoint) {
            if (endpoint == null || endpoint.isBlank()) {
                throw new IllegalArgumentException("endpoint must not be blank");
            }
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("endpoint is not a URL: " + endpoint, e);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be http(s)://host[:port], got " + endpoint);
            }
            if (uri.getHost().matches("[0-9.]+") && uri.getPort() < 0) {
                throw new IllegalArgumentException("endpoint " + endpoint + ": an IP address needs a port (the SDK "
                        + "rejects a bare IP), e.g. http://127.0.0.1:8080");
            }
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                throw new IllegalArgumentException("endpoint must have no path, got " + endpoint);
            }
            return endpoint;
        }

        static String detectSourceIp() {
            try {
                Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
                while (interfaces != null && interfaces.hasMoreElements()) {
                    NetworkInterface ni = interfaces.nextElement();
                    if (!ni.isUp() || ni.isLoopback()) {
                        continue;
                    }
                    for (Enumeration<InetAddress> a = ni.getInetAddresses(); a.hasMoreElements(); ) {
                        InetAddress address = a.nextElement();
                        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                            return address.getHostAddress();
                        }
                    }
                }
            } catch (SocketException e) {
                LOG.debug("cannot list network interfaces; the CLS source IP is 127.0.0.1", e);
            }
            return "127.0.0.1";
        }
    }
}
