package io.syncer.test;

import io.syncer.test.ClsHttpServer.Request;
import io.syncer.test.ClsHttpServer.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake of Tencent Cloud CLS's upload endpoint, {@code POST /structuredlog}, on {@code 127.0.0.1}, for integration
 * tests that run the real CLS producer SDK ({@code tencentcloud-cls-sdk-java}) against it. It checks each request the
 * way the service does, stores the logs of accepted requests, and can be scripted to fail, stall or drop requests.
 *
 * <pre>{@code
 * try (ClsEndpoint cls = ClsEndpoint.start()) {
 *     AsyncProducerConfig config = new AsyncProducerConfig(cls.url(), ClsEndpoint.DEFAULT_SECRET_ID,
 *             ClsEndpoint.DEFAULT_SECRET_KEY, "10.1.2.3");   // always pass a sourceIp
 *     cls.failNext(1, 500);                                    // the SDK retries once
 *     // ... send, then:
 *     cls.awaitLogCount(3, Duration.ofSeconds(10));
 *     List<ClsLog> logs = cls.logs("topic-1");
 * }
 * }</pre>
 *
 * <p><b>What it checks</b>, in this order; the first failed check is answered with the CLS JSON error body
 * {@code {"errorcode":"…","errormessage":"…"}} and nothing is stored:
 * <ol>
 *   <li>the path is {@code /structuredlog} (else 404 {@code InvalidParam}) and the method {@code POST} (else 405
 *       {@code InvalidParam}); the body has a {@code Content-Length} of at most {@link #MAX_BODY_BYTES} (else 400
 *       {@code InvalidParam} for a chunked body, 413 {@code ContentIsTooLarge} for a larger one);</li>
 *   <li>the query has a non-blank {@code topic_id} (400 {@code InvalidParam});</li>
 *   <li>{@code Content-Type} is {@code application/x-protobuf} (400 {@code InvalidContentType});</li>
 *   <li>{@code Authorization} is present (400 {@code MissingAuthorization}) and is a v1 signature
 *       ({@code q-sign-algorithm=sha1&q-ak=…&q-sign-time=…&q-key-time=…&q-header-list=…&q-url-param-list=…}
 *       {@code &q-signature=…}, else 401 {@code AuthFailure.SignatureFailure}); its {@code q-ak} was added with
 *       {@link #addCredentials} (401 {@code AuthFailure.SecretIdNotFound}); its {@code q-sign-time} window contains
 *       now, give or take {@link #CLOCK_SKEW} (401 {@code AuthFailure.SignatureExpire}); and its {@code q-signature}
 *       equals the HMAC-SHA1 signature recomputed from the method, the path, the query parameters and headers it
 *       names, as they arrived, and the SecretKey of {@code q-ak} (401 {@code AuthFailure.SignatureFailure});</li>
 *   <li>after {@link #restrictTopics}, the topic is one of those (404 {@code TopicNotExists});</li>
 *   <li>the fault script, see below;</li>
 *   <li>{@code x-cls-compress-type} is {@code lz4} (the body is an LZ4 block, decompressed within
 *       {@link #MAX_DECOMPRESSED_BYTES}, else 400 {@code InvalidContent}) or absent (the body is plain protobuf of at
 *       most {@link #MAX_DECOMPRESSED_BYTES}, else 413 {@code ContentIsTooLarge}); any other value is 400
 *       {@code InvalidCompressType};</li>
 *   <li>the body is a valid {@code cls.LogGroupList}, required fields present (400 {@code InvalidContent});</li>
 *   <li>the service limits (400 {@code InvalidContent}, the message says which): 1 to {@link #MAX_LOG_GROUPS} log
 *       groups, each with 1 to {@link #MAX_LOGS_PER_GROUP} logs; no value longer than {@link #MAX_VALUE_BYTES} UTF-8
 *       bytes; no key starting with {@code _};</li>
 *   <li>no log matches the {@link #rejectLogsWhere rejectLogsWhere} rule (400 {@code InvalidContent}).</li>
 * </ol>
 * Then the logs are stored and the answer is 200 with an empty body. Every answer carries a fresh
 * {@code X-Cls-Requestid} header, spelled so, which the SDK reports in {@code Attempt.getRequestId()}.
 *
 * <p><b>The fault script</b> applies to requests that passed the checks up to the topic. In this order: while
 * {@link #stallAll stallAll} is on, a request is held; a {@link #failFor failFor} window answers its status; a
 * {@link #failNext(String, int, int) failNext} for the request's topic, then one for any topic, answers its status;
 * {@link #dropNext dropNext} closes the connection unanswered; {@link #stallNext stallNext} holds the request, then
 * lets it be processed. Counts add up and are consumed in the order they were scripted. A fault answers before the
 * body is ingested, so nothing is stored, except after a {@code stallNext} and after {@code stallAll} is turned off.
 * Scripted statuses carry the error code the service would send: 400 {@code InvalidParam}, 401
 * {@code AuthFailure.UnauthorizedOperation}, 403 {@code OperationDenied}, 404 {@code TopicNotExists}, 413
 * {@code ContentIsTooLarge}, 429 {@code SpeedQuotaExceed}, 5xx {@code InternalError}, others {@code FailedOperation}.
 * The SDK reads only the status (see {@code cls.md} §9).
 *
 * <p><b>What arrived:</b> {@link #logs(String)}, {@link #logsByTopic()} and {@link #logCount()} show the stored logs,
 * duplicates included; {@link #duplicateLogs()} counts the logs stored again under a {@code contextFlow} already stored
 * for the topic (the SDK re-sends a timed-out batch with the same {@code contextFlow}); {@link #requests()} lists every
 * request with its outcome, in the order they completed.
 *
 * <p><b>Threads:</b> a raw-socket HTTP/1.1 server (not {@code com.sun.net.httpserver}, which rewrites response header
 * names) with one acceptor thread and up to {@link #HANDLER_THREADS} connection handler threads, named
 * {@code syncer-cls-endpoint-<port>-…}, all daemons. Connections are kept alive after 200 answers, as the SDK's
 * {@code HttpURLConnection} expects, and closed after error answers. A held request occupies its handler thread.
 * {@link #close()} releases held requests unanswered, closes every connection and stops the threads within seconds.
 * All methods are thread-safe; tests may read what arrived while requests arrive.
 *
 * <p>Secrets never appear in {@link #toString()} or in log lines.
 */
public final class ClsEndpoint implements AutoCloseable {
    /** The SecretId a new endpoint accepts. */
    public static final String DEFAULT_SECRET_ID = "AKIDsyncerTestSecretId0001";
    /** The SecretKey of {@link #DEFAULT_SECRET_ID}. */
    public static final String DEFAULT_SECRET_KEY = "syncerTestSecretKey0000000000001";
    /** The path of the upload API. */
    public static final String PATH = "/structuredlog";
    /** The largest request body read, 8 MiB; a larger one gets 413 {@code ContentIsTooLarge}. */
    public static final int MAX_BODY_BYTES = 8 << 20;
    /** The largest {@code LogGroupList} after decompression, 6 MiB (the service limit per request). */
    public static final int MAX_DECOMPRESSED_BYTES = 6 << 20;
    /** The most log groups per request, 10. */
    public static final int MAX_LOG_GROUPS = 10;
    /** The most logs per log group, 10 000. */
    public static final int MAX_LOGS_PER_GROUP = 10_000;
    /** The longest content value, 1 MiB of UTF-8. */
    public static final int MAX_VALUE_BYTES = 1 << 20;
    /** How far a {@code q-sign-time} window may miss the endpoint's clock, 5 s. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /** How many connections are served at once, 16; further ones wait. */
    public static final int HANDLER_THREADS = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ClsEndpoint.class);
    private static final String CONTENT_TYPE = "application/x-protobuf";
    private static final String LZ4 = "lz4";
    private static final LZ4SafeDecompressor LZ4_DECOMPRESSOR = LZ4Factory.safeInstance().safeDecompressor();

    private final Clock clock;
    private final Map<String, String> credentials = new ConcurrentHashMap<>();
    private final ClsFaults faults;
    private final ClsStore store = new ClsStore();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Set<String> allowedTopics;
    private final ClsHttpServer server;

    private ClsEndpoint(Clock clock) throws IOException {
        this.clock = clock;
        this.faults = new ClsFaults(clock);
        credentials.put(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY);
        this.server = ClsHttpServer.start(new Pipeline(), MAX_BODY_BYTES, HANDLER_THREADS);
    }

    /**
     * Starts an endpoint on {@code 127.0.0.1} on a free port, accepting {@link #DEFAULT_SECRET_ID} with
     * {@link #DEFAULT_SECRET_KEY} and any topic, with no faults scripted.
     *
     * @return the running endpoint; {@link #close()} it
     * @throws UncheckedIOException if no port can be bound
     */
    public static ClsEndpoint start() {
        return start(Clock.systemUTC());
    }

    static ClsEndpoint start(Clock clock) {
        try {
            return new ClsEndpoint(Objects.requireNonNull(clock, "clock"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the CLS endpoint", e);
        }
    }

    /**
     * The endpoint in the form the SDK's {@code AsyncProducerConfig} accepts (it rejects a bare IP address without a
     * port).
     *
     * @return {@code "http://127.0.0.1:<port>"}
     */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * The port the endpoint listens on.
     *
     * @return the port on {@code 127.0.0.1}
     */
    public int port() {
        return server.port();
    }

    /**
     * Accepts a SecretId with its SecretKey, replacing the key if the id is known.
     *
     * @param secretId the SecretId ({@code q-ak})
     * @param secretKey its SecretKey
     * @return this endpoint
     * @throws IllegalArgumentException if either is {@code null} or empty
     */
    public ClsEndpoint addCredentials(String secretId, String secretKey) {
        credentials.put(requireText(secretId, "secretId"), requireText(secretKey, "secretKey"));
        return this;
    }

    /**
     * Stops accepting a SecretId: its requests then get 401 {@code AuthFailure.SecretIdNotFound}.
     *
     * @param secretId the SecretId, which may be unknown
     * @return this endpoint
     */
    public ClsEndpoint removeCredentials(String secretId) {
        if (secretId != null) {
            credentials.remove(secretId);
        }
        return this;
    }

    /**
     * Accepts only these topics from now on, replacing an earlier restriction: requests for others get 404
     * {@code TopicNotExists}. By default any topic is accepted.
     *
     * @param topicIds the topic ids that exist; empty makes every topic unknown
     * @return this endpoint
     * @throws NullPointerException if the collection or an element is {@code null}
     */
    public ClsEndpoint restrictTopics(Collection<String> topicIds) {
        allowedTopics = Set.copyOf(topicIds);
        return this;
    }

    /**
     * Undoes {@link #restrictTopics}: any topic is accepted again.
     *
     * @return this endpoint
     */
    public ClsEndpoint allowAnyTopic() {
        allowedTopics = null;
        return this;
    }

    /**
     * Answers the next {@code times} requests, for any topic, with {@code status} and the CLS error body; nothing is
     * stored. 429 and 5xx make the SDK retry; 400, 401, 403, 404 and 413 fail the batch at once.
     *
     * @param times how many requests, at least 1
     * @param status the HTTP status, 201 to 599
     * @return this endpoint
     * @throws IllegalArgumentException if an argument is out of range
     */
    public ClsEndpoint failNext(int times, int status) {
        faults.failNext(null, requirePositive(times, "times"), requireFaultStatus(status));
        return this;
    }

    /**
     * Like {@link #failNext(int, int)}, but only for requests for one topic; it applies before the any-topic ones.
     *
     * @param topicId the topic
     * @param times how many requests for it, at least 1
     * @param status the HTTP status, 201 to 599
     * @return this endpoint
     * @throws IllegalArgumentException if an argument is {@code null}, empty or out of range
     */
    public ClsEndpoint failNext(String topicId, int times, int status) {
        faults.failNext(requireText(topicId, "topicId"), requirePositive(times, "times"), requireFaultStatus(status));
        return this;
    }

    /**
     * Answers every request with {@code status} for {@code window} from now, replacing an earlier window; nothing is
     * stored. Scripted {@code failNext} counts are not consumed meanwhile.
     *
     * @param window how long, positive
     * @param status the HTTP status, 201 to 599
     * @return this endpoint
     * @throws IllegalArgumentException if an argument is {@code null} or out of range
     */
    public ClsEndpoint failFor(Duration window, int status) {
        faults.failFor(requirePositive(window, "window"), requireFaultStatus(status));
        return this;
    }

    /**
     * Holds each of the next {@code times} requests for {@code stall}, then processes it normally (stored and
     * answered 200 if valid), whether or not the client is still waiting. A stall longer than the SDK's read timeout
     * ({@code Constants.HTTP_SEND_TIME_OUT}, 60 s by default) makes the SDK re-send the batch while the first copy is
     * still held, so both copies are stored with the same {@code contextFlow}: see {@link #duplicateLogs()}.
     *
     * @param times how many requests, at least 1
     * @param stall how long to hold each, positive
     * @return this endpoint
     * @throws IllegalArgumentException if an argument is {@code null} or out of range
     */
    public ClsEndpoint stallNext(int times, Duration stall) {
        faults.stallNext(requirePositive(times, "times"), requirePositive(stall, "stall"));
        return this;
    }

    /**
     * Reads each of the next {@code times} requests, then closes its connection without answering; nothing is
     * stored. The SDK then gets an {@code IOException} ({@code SendFailed}) and retries; note that the JDK's
     * {@code HttpURLConnection} itself re-sends a POST once when the server closes the connection unanswered, so one
     * drop may be invisible to the SDK.
     *
     * @param times how many requests, at least 1
     * @return this endpoint
     * @throws IllegalArgumentException if {@code times} is less than 1
     */
    public ClsEndpoint dropNext(int times) {
        faults.dropNext(requirePositive(times, "times"));
        return this;
    }

    /**
     * While on, holds every request that passed the checks: not answered, nothing stored. Turning it off processes the
     * held requests as if they had just arrived (the rest of the fault script applies to them). A held request whose
     * client gives up (closes the connection, e.g. after its read timeout) is recorded with status 0.
     *
     * @param on whether to hold requests
     * @return this endpoint
     */
    public ClsEndpoint stallAll(boolean on) {
        faults.stallAll(on);
        return this;
    }

    /**
     * From now on, answers 400 {@code InvalidContent} to every request holding a log that matches {@code rule}, as
     * the service refuses a whole request for one invalid log: nothing of that request is stored, and the SDK fails
     * the batch at once ({@code InvalidParam}, its code for any 400). The rule is checked after the service limits,
     * on handler threads, concurrently; one that throws makes the answer 500 {@code InternalError}. It replaces an
     * earlier rule; {@code null} or {@link #clearFaults()} removes it.
     *
     * @param rule which logs the service refuses, or {@code null} for none
     * @return this endpoint
     */
    public ClsEndpoint rejectLogsWhere(Predicate<? super ClsLog> rule) {
        faults.rejectLogsWhere(rule);
        return this;
    }

    /**
     * Forgets every scripted fault, including the {@link #rejectLogsWhere} rule, and turns {@link #stallAll stallAll}
     * off. Requests already in a
     * {@link #stallNext stallNext} finish their stall. Credentials and the topic restriction are kept.
     */
    public void clearFaults() {
        faults.clear();
    }

    /**
     * How many requests are held right now by {@link #stallAll} or {@link #stallNext}, so a test can wait until the
     * client's request has arrived. A request counts until it is dealt with: once this is 0 again, every released
     * request has been stored (or refused) and is listed in {@link #requests()}.
     *
     * @return the number of held requests
     */
    public int heldRequests() {
        return faults.held();
    }

    /**
     * Every log stored for a topic, in arrival order, duplicates included.
     *
     * @param topicId the topic
     * @return an unmodifiable snapshot, empty if none
     */
    public List<ClsLog> logs(String topicId) {
        return store.logs(topicId);
    }

    /**
     * Every stored log by topic, topics in the order their first log arrived.
     *
     * @return an unmodifiable snapshot
     */
    public Map<String, List<ClsLog>> logsByTopic() {
        return store.logsByTopic();
    }

    /**
     * How many logs are stored, over all topics, duplicates included.
     *
     * @return the count
     */
    public long logCount() {
        return store.logCount();
    }

    /**
     * Waits until at least {@code atLeast} logs are stored, over all topics.
     *
     * @param atLeast the count to wait for
     * @param timeout how long to wait at most
     * @return whether the count was reached in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitLogCount(long atLeast, Duration timeout) throws InterruptedException {
        return store.awaitLogCount(atLeast, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Every request that arrived since the start or the last {@link #reset()}, with its outcome, in the order they
     * completed; a request still held is not listed yet.
     *
     * @return an unmodifiable snapshot
     */
    public List<ClsRequest> requests() {
        return store.requests();
    }

    /**
     * How many stored logs came from a log group whose non-empty {@code contextFlow} had already been stored for the
     * same topic: the copies an at-least-once client re-sent after a timeout.
     *
     * @return the count
     */
    public long duplicateLogs() {
        return store.duplicateLogs();
    }

    /** Forgets the stored logs, the requests and the seen {@code contextFlow}s; keeps credentials, topics, faults. */
    public void reset() {
        store.reset();
    }

    /**
     * Stops the endpoint: held requests are released unanswered (recorded with status 0), connections are closed and
     * the threads stop, within seconds. What arrived stays readable. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            faults.close();
            server.close();
        }
    }

    /**
     * Names the endpoint by its URL; never shows credentials.
     *
     * @return {@code "ClsEndpoint[http://127.0.0.1:<port>]"}
     */
    @Override
    public String toString() {
        return "ClsEndpoint[" + url() + "]";
    }

    /** The request pipeline: the checks, the fault script, decoding and storing. Runs on handler threads. */
    private final class Pipeline implements ClsHttpServer.Handler {
        @Override
        public Response handle(Request request) throws InterruptedException {
            Exchange exchange = new Exchange(request);
            Response response = Response.none();
            try {
                response = process(exchange);
            } catch (Rejection r) {
                response = r.response;
            } finally {
                finish(exchange, response);
            }
            return response;
        }

        @Override
        public void rejected(Request request, Response response) {
            Exchange exchange = new Exchange(request);
            exchange.topicId = request.query().get("topic_id");
            exchange.decodeTried = true;
            finish(exchange, response);
        }

        private Response process(Exchange x) throws Rejection, InterruptedException {
            Request r = x.request;
            if (!r.path().equals(PATH)) {
                throw new Rejection(404, "InvalidParam", "no such path: " + r.path());
            }
            if (!r.method().equals("POST")) {
                throw new Rejection(405, "InvalidParam", "method " + r.method() + " is not allowed, only POST");
            }
            String topicId = r.query().get("topic_id");
            x.topicId = topicId;
            if (topicId == null || topicId.isBlank()) {
                throw new Rejection(400, "InvalidParam", "missing query parameter topic_id");
            }
            String contentType = r.header("Content-Type");
            if (contentType == null || !mediaType(contentType).equals(CONTENT_TYPE)) {
                throw new Rejection(400, "InvalidContentType",
                        "Content-Type must be " + CONTENT_TYPE + ", not " + contentType);
            }
            authenticate(r);
            Set<String> allowed = allowedTopics;
            if (allowed != null && !allowed.contains(topicId)) {
                throw new Rejection(404, "TopicNotExists", "topic " + topicId + " does not exist");
            }
            ClsFaults.Decision decision = faults.decide(topicId, r.watch());
            x.decision = decision;
            switch (decision.kind()) {
                case FAIL -> throw new Rejection(decision.status(), faultCode(decision.status()),
                        "scripted fault: " + decision.status());
                case DROP, ABANDON -> {
                    return Response.none();
                }
                case PROCEED -> {
                    // checked and stored below
                }
            }
            x.decodeTried = true;
            x.groups = decode(r);
            checkLimits(x.groups);
            checkRejectRule(topicId, x.groups);
            store.store(topicId, x.groups);
            return Response.ok();
        }

        private void authenticate(Request r) throws Rejection {
            String header = r.header("Authorization");
            if (header == null || header.isBlank()) {
                throw new Rejection(400, "MissingAuthorization", "no Authorization header");
            }
            ClsSignature.Authorization auth;
            try {
                auth = ClsSignature.parse(header);
            } catch (IllegalArgumentException e) {
                throw new Rejection(401, "AuthFailure.SignatureFailure", e.getMessage());
            }
            String secretKey = credentials.get(auth.secretId());
            if (secretKey == null) {
                throw new Rejection(401, "AuthFailure.SecretIdNotFound", "q-ak is not a known SecretId");
            }
            long now = clock.millis() / 1000;
            long skew = CLOCK_SKEW.toSeconds();
            if (now < auth.signStart() - skew || now > auth.signEnd() + skew) {
                throw new Rejection(401, "AuthFailure.SignatureExpire",
                        "q-sign-time " + auth.signTime() + " does not contain now (" + now + ")");
            }
            Map<String, String> params = new TreeMap<>();
            for (String name : auth.paramList()) {
                String value = r.query().entrySet().stream()
                        .filter(e -> e.getKey().equalsIgnoreCase(name))
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElseThrow(() -> new Rejection(401, "AuthFailure.SignatureFailure",
                                "signed query parameter " + name + " is missing"));
                params.put(name, value);
            }
            Map<String, String> headers = new TreeMap<>();
            for (String name : auth.headerList()) {
                String value = r.header(name);
                if (value == null) {
                    throw new Rejection(401, "AuthFailure.SignatureFailure", "signed header " + name + " is missing");
                }
                headers.put(name, value);
            }
            String expected = ClsSignature.signature(secretKey, auth.keyTime(), auth.signTime(), r.method(), r.path(),
                    params, headers);
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    auth.signature().getBytes(StandardCharsets.US_ASCII))) {
                throw new Rejection(401, "AuthFailure.SignatureFailure", "the signature does not match");
            }
        }

        private List<ClsProtobuf.LogGroup> decode(Request r) throws Rejection {
            String compressType = r.header("x-cls-compress-type");
            byte[] body = r.body();
            byte[] message;
            int length;
            if (compressType == null || compressType.isEmpty()) {
                if (body.length > MAX_DECOMPRESSED_BYTES) {
                    throw new Rejection(413, "ContentIsTooLarge",
                            "body of " + body.length + " bytes exceeds " + MAX_DECOMPRESSED_BYTES);
                }
                message = body;
                length = body.length;
            } else if (compressType.equalsIgnoreCase(LZ4)) {
                // an LZ4 block expands at most about 255-fold: no need for a 6 MiB buffer per small request
                message = new byte[(int) Math.min(MAX_DECOMPRESSED_BYTES, body.length * 255L + 64)];
                try {
                    length = LZ4_DECOMPRESSOR.decompress(body, 0, body.length, message, 0, message.length);
                } catch (LZ4Exception | ArrayIndexOutOfBoundsException e) {
                    throw new Rejection(400, "InvalidContent",
                            "the body is not an LZ4 block that decompresses to at most " + MAX_DECOMPRESSED_BYTES
                                    + " bytes");
                }
            } else {
                throw new Rejection(400, "InvalidCompressType",
                        "x-cls-compress-type must be lz4 or absent, not " + compressType);
            }
            try {
                return ClsProtobuf.decodeLogGroupList(message, length);
            } catch (ClsProtobuf.DecodeException e) {
                throw new Rejection(400, "InvalidContent", "invalid LogGroupList: " + e.getMessage());
            }
        }

        private void checkLimits(List<ClsProtobuf.LogGroup> groups) throws Rejection {
            if (groups.isEmpty() || groups.size() > MAX_LOG_GROUPS) {
                throw new Rejection(400, "InvalidContent", "the LogGroupList holds " + groups.size()
                        + " LogGroups, 1 to " + MAX_LOG_GROUPS + " are allowed");
            }
            for (int g = 0; g < groups.size(); g++) {
                List<ClsProtobuf.Log> logs = groups.get(g).logs();
                if (logs.isEmpty() || logs.size() > MAX_LOGS_PER_GROUP) {
                    throw new Rejection(400, "InvalidContent", "LogGroup " + g + " holds " + logs.size()
                            + " logs, 1 to " + MAX_LOGS_PER_GROUP + " are allowed");
                }
                for (int l = 0; l < logs.size(); l++) {
                    for (ClsProtobuf.Pair content : logs.get(l).contents()) {
                        if (content.key().startsWith("_")) {
                            throw new Rejection(400, "InvalidContent", "LogGroup " + g + ", log " + l + ": key "
                                    + content.key() + " starts with '_', which is reserved");
                        }
                        int bytes = content.value().getBytes(StandardCharsets.UTF_8).length;
                        if (bytes > MAX_VALUE_BYTES) {
                            throw new Rejection(400, "InvalidContent", "LogGroup " + g + ", log " + l
                                    + ": the value of key " + content.key() + " has " + bytes + " bytes, at most "
                                    + MAX_VALUE_BYTES + " are allowed");
                        }
                    }
                }
            }
        }

        private void checkRejectRule(String topicId, List<ClsProtobuf.LogGroup> groups) throws Rejection {
            Predicate<? super ClsLog> rule = faults.rejectRule();
            if (rule == null) {
                return;
            }
            for (int g = 0; g < groups.size(); g++) {
                List<ClsLog> logs = ClsStore.toLogs(topicId, groups.get(g));
                for (int l = 0; l < logs.size(); l++) {
                    boolean rejected;
                    try {
                        rejected = rule.test(logs.get(l));
                    } catch (RuntimeException e) {
                        LOG.warn("the rejectLogsWhere rule threw; answering 500", e);
                        throw new Rejection(500, "InternalError", "the rejectLogsWhere rule threw " + e);
                    }
                    if (rejected) {
                        throw new Rejection(400, "InvalidContent",
                                "LogGroup " + g + ", log " + l + ": refused by the rejectLogsWhere rule");
                    }
                }
            }
        }

        private void finish(Exchange x, Response response) {
            if (!x.decodeTried) {
                try {
                    x.groups = decode(x.request);
                } catch (Rejection | RuntimeException e) {
                    // the record then says the body could not be decoded
                }
            }
            List<ClsProtobuf.LogGroup> groups = x.groups;
            ClsRequest record = new ClsRequest(x.topicId, response.status(), response.errorCode(),
                    x.request.requestId(), groups == null || groups.isEmpty() ? null : groups.get(0).contextFlow(),
                    groups == null ? 0 : groups.stream().mapToInt(g -> g.logs().size()).sum(),
                    (int) Math.min(Integer.MAX_VALUE, x.request.bodyLength()));
            store.record(record);
            if (x.decision != null) {
                faults.finished(x.decision);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} topic_id={}: {} {} ({} logs, {} bytes, request id {})", x.request.method(),
                        x.request.path(), record.topicId(), record.status(),
                        record.errorCode() == null ? "" : record.errorCode(), record.logs(), record.compressedBytes(),
                        record.requestId());
            }
        }
    }

    /** One request on its way through the pipeline. Confined to its handler thread. */
    private static final class Exchange {
        final Request request;
        String topicId;
        boolean decodeTried;
        List<ClsProtobuf.LogGroup> groups;
        ClsFaults.Decision decision;

        Exchange(Request request) {
            this.request = request;
        }
    }

    /** A check failed: the answer. */
    private static final class Rejection extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Response response;

        Rejection(int status, String errorCode, String message) {
            super(message, null, false, false);
            this.response = Response.error(status, errorCode, message);
        }
    }

    private static String faultCode(int status) {
        return switch (status) {
            case 400 -> "InvalidParam";
            case 401 -> "AuthFailure.UnauthorizedOperation";
            case 403 -> "OperationDenied";
            case 404 -> "TopicNotExists";
            case 413 -> "ContentIsTooLarge";
            case 429 -> "SpeedQuotaExceed";
            default -> status >= 500 ? "InternalError" : "FailedOperation";
        };
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be null or empty");
        }
        return value;
    }

    private static int requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }

    private static Duration requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static int requireFaultStatus(int status) {
        if (status < 201 || status > 599) {
            throw new IllegalArgumentException("status must be 201 to 599, got " + status);
        }
        return status;
    }
}
