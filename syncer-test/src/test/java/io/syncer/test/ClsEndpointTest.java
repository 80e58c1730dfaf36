package io.syncer.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.tencentcloudapi.cls.producer.AsyncProducerClient;
import com.tencentcloudapi.cls.producer.AsyncProducerConfig;
import com.tencentcloudapi.cls.producer.Result;
import com.tencentcloudapi.cls.producer.common.Attempt;
import com.tencentcloudapi.cls.producer.common.Constants;
import com.tencentcloudapi.cls.producer.common.LogItem;
import com.tencentcloudapi.cls.producer.errors.ResultFailedException;
import io.syncer.test.ClsProtobuf.Log;
import io.syncer.test.ClsProtobuf.LogGroup;
import io.syncer.test.ClsProtobuf.Pair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake CLS endpoint against the real CLS producer SDK (1.0.15), and against hand-built requests. */
@WithCls
class ClsEndpointTest {
    private static final String SOURCE_IP = "10.1.2.3";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final List<AsyncProducerClient> clients = new ArrayList<>();
    private ClsEndpoint cls;

    @BeforeEach
    void setUp(ClsEndpoint endpoint) {
        cls = endpoint;
        cls.clearFaults();
        cls.allowAnyTopic();
        cls.reset();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AsyncProducerClient client : clients) {
            client.close(5000);
        }
    }

    @Test
    void storesWhatTheSdkSends() throws Exception {
        AsyncProducerClient client = client(ClsEndpoint.DEFAULT_SECRET_KEY, 0);
        long time = System.currentTimeMillis();
        ListenableFuture<Result> first = client.putLogs("topic-happy",
                List.of(item(time, "level", "INFO", "msg", "a"), item(time + 1, "msg", "b")), null);
        ListenableFuture<Result> second = client.putLogs("topic-happy", List.of(item(time + 2, "msg", "日志")), null);

        Result r1 = result(first);
        Result r2 = result(second);
        assertTrue(r1.isSuccessful() && r2.isSuccessful(), r1 + " " + r2);
        assertEquals(1, r1.getAttemptCount());
        List<ClsLog> logs = cls.logs("topic-happy");
        assertEquals(3, logs.size());
        assertEquals(3, cls.logCount());
        assertEquals(time, logs.get(0).time(), "the time as sent, in ms");
        assertEquals(Map.of("level", "INFO", "msg", "a"), logs.get(0).contents());
        assertEquals(List.of("level", "msg"), List.copyOf(logs.get(0).contents().keySet()), "the order sent");
        assertEquals("b", logs.get(1).get("msg"));
        assertEquals("日志", logs.get(2).get("msg"));
        for (ClsLog log : logs) {
            assertEquals("topic-happy", log.topicId());
            assertEquals(SOURCE_IP, log.source());
            assertFalse(log.contextFlow().isEmpty());
        }
        assertEquals(0, cls.duplicateLogs());
        assertEquals(Map.of("topic-happy", logs), cls.logsByTopic());

        List<ClsRequest> requests = cls.requests();
        assertTrue(requests.stream().allMatch(ClsRequest::accepted), requests::toString);
        assertEquals(3, requests.stream().mapToInt(ClsRequest::logs).sum());
        String requestId = r1.getReservedAttempts().get(0).getRequestId();
        assertTrue(requests.stream().anyMatch(r -> r.requestId().equals(requestId)),
                "the SDK read X-Cls-Requestid: " + requestId);
        ClsRequest request = requests.get(0);
        assertNull(request.errorCode());
        assertTrue(request.compressedBytes() > 0);
        assertEquals(logs.get(0).contextFlow(), request.contextFlow());
    }

    @Test
    void verifiesTheSignatureOfTopicIdsThatNeedEncoding() throws Exception {
        String topicId = "odd topic~*/é+&=";

        Result result = result(client(ClsEndpoint.DEFAULT_SECRET_KEY, 0)
                .putLogs(topicId, List.of(item(1, "k", "v")), null));

        assertTrue(result.isSuccessful(), result::toString);
        assertEquals(1, cls.logs(topicId).size());
    }

    @Test
    void takesManyBatchesFromSeveralSendThreads() throws Exception {
        AsyncProducerConfig config = config(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY, 0);
        config.setBatchCountThreshold(10);
        config.setSendThreadCount(4);
        AsyncProducerClient client = track(new AsyncProducerClient(config));
        List<ListenableFuture<Result>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(client.putLogs("topic-many", List.of(item(i, "i", Integer.toString(i))), null));
        }

        for (ListenableFuture<Result> future : futures) {
            assertTrue(result(future).isSuccessful());
        }
        assertEquals(200, cls.logs("topic-many").size());
        assertEquals(200, cls.logs("topic-many").stream().map(l -> l.get("i")).distinct().count());
        assertTrue(cls.requests().size() >= 200 / 11, cls.requests().size() + " requests");
        assertTrue(cls.requests().stream().allMatch(ClsRequest::accepted));
        assertEquals(0, cls.duplicateLogs());
    }

    @Test
    void wrongSecretKeyFailsAfterOneAttemptAndStoresNothing() throws Exception {
        Result result = result(client("notTheKey", 3).putLogs("topic-auth", List.of(item(1, "k", "v")), null));

        assertFalse(result.isSuccessful());
        assertEquals("AuthFailure", result.getErrorCode());
        assertEquals(1, result.getAttemptCount());
        assertEquals(0, cls.logCount());
        ClsRequest request = cls.requests().get(0);
        assertEquals(401, request.status());
        assertEquals("AuthFailure.SignatureFailure", request.errorCode());
        assertEquals(1, request.logs(), "the refused body is decoded for the record");
    }

    @Test
    void acceptsOnlyKnownSecretIds() throws Exception {
        cls.removeCredentials(ClsEndpoint.DEFAULT_SECRET_ID).addCredentials("AKIDother", "otherKey");
        try {
            Result refused = result(client(ClsEndpoint.DEFAULT_SECRET_KEY, 0)
                    .putLogs("topic-ids", List.of(item(1, "k", "v")), null));
            assertEquals("AuthFailure", refused.getErrorCode());
            assertEquals("AuthFailure.SecretIdNotFound", cls.requests().get(0).errorCode());

            AsyncProducerClient other = track(new AsyncProducerClient(config("AKIDother", "otherKey", 0)));
            assertTrue(result(other.putLogs("topic-ids", List.of(item(1, "k", "v")), null)).isSuccessful());
            assertEquals(1, cls.logs("topic-ids").size());
        } finally {
            cls.removeCredentials("AKIDother")
                    .addCredentials(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY);
        }
    }

    @Test
    void aScriptedServerErrorIsRetried() throws Exception {
        cls.failNext(1, 500);

        Result result = result(client(ClsEndpoint.DEFAULT_SECRET_KEY, 3)
                .putLogs("topic-500", List.of(item(1, "k", "v")), null));

        assertTrue(result.isSuccessful(), result::toString);
        assertEquals(2, result.getAttemptCount());
        List<Attempt> attempts = result.getReservedAttempts();
        assertEquals("BadResponse", attempts.get(0).getErrorCode());
        List<ClsRequest> requests = cls.requests();
        assertEquals(List.of(500, 200), statuses());
        assertEquals("InternalError", requests.get(0).errorCode());
        for (int i = 0; i < 2; i++) {
            assertFalse(attempts.get(i).getRequestId().isEmpty(), "the raw server's header spelling reaches the SDK");
            assertEquals(requests.get(i).requestId(), attempts.get(i).getRequestId());
        }
        assertEquals(requests.get(0).contextFlow(), requests.get(1).contextFlow(), "a retry re-sends the batch");
        assertEquals(1, cls.logs("topic-500").size());
    }

    @Test
    void aTopicsFaultSparesOtherTopics() throws Exception {
        cls.failNext("topic-faulty", 1, 503);
        AsyncProducerClient client = client(ClsEndpoint.DEFAULT_SECRET_KEY, 3);

        Result other = result(client.putLogs("topic-fine", List.of(item(1, "k", "v")), null));
        Result faulty = result(client.putLogs("topic-faulty", List.of(item(1, "k", "v")), null));

        assertEquals(1, other.getAttemptCount());
        assertTrue(faulty.isSuccessful());
        assertEquals(2, faulty.getAttemptCount());
    }

    @Test
    void aThrottlingWindowIsRetriedThrough() throws Exception {
        cls.failFor(Duration.ofMillis(400), 429);

        Result result = result(client(ClsEndpoint.DEFAULT_SECRET_KEY, 10)
                .putLogs("topic-429", List.of(item(1, "k", "v")), null));

        assertTrue(result.isSuccessful(), result::toString);
        assertTrue(result.getAttemptCount() >= 2, result::toString);
        assertEquals("SpeedQuotaExceed", result.getReservedAttempts().get(0).getErrorCode());
        List<ClsRequest> requests = cls.requests();
        assertTrue(requests.subList(0, requests.size() - 1).stream()
                .allMatch(r -> r.status() == 429 && r.errorCode().equals("SpeedQuotaExceed")), requests::toString);
        assertEquals(1, cls.logs("topic-429").size());
        assertEquals(0, cls.duplicateLogs());
    }

    @Test
    void unknownTopicsGetTopicNotExists() throws Exception {
        cls.restrictTopics(List.of("topic-known"));
        AsyncProducerClient client = client(ClsEndpoint.DEFAULT_SECRET_KEY, 3);

        Result unknown = result(client.putLogs("topic-unknown", List.of(item(1, "k", "v")), null));
        Result known = result(client.putLogs("topic-known", List.of(item(1, "k", "v")), null));

        assertEquals("TopicNotExists", unknown.getErrorCode());
        assertEquals(1, unknown.getAttemptCount());
        assertTrue(known.isSuccessful());
        assertEquals(Map.of("topic-known", cls.logs("topic-known")), cls.logsByTopic());
    }

    @Test
    void aRejectRuleRefusesTheWholeRequest() throws Exception {
        cls.rejectLogsWhere(log -> "bad".equals(log.get("k")));
        AsyncProducerClient client = client(ClsEndpoint.DEFAULT_SECRET_KEY, 3);

        Result refused = result(client.putLogs("topic-rule", List.of(item(1, "k", "good"), item(2, "k", "bad")), null));
        Result accepted = result(client.putLogs("topic-rule", List.of(item(3, "k", "good")), null));
        cls.clearFaults();
        Result afterClear = result(client.putLogs("topic-rule", List.of(item(4, "k", "bad")), null));

        assertEquals("InvalidParam", refused.getErrorCode(), "the SDK's code for any 400");
        assertEquals(1, refused.getAttemptCount());
        assertTrue(accepted.isSuccessful() && afterClear.isSuccessful());
        assertEquals(List.of(3L, 4L), cls.logs("topic-rule").stream().map(ClsLog::time).collect(Collectors.toList()));
        ClsRequest request = cls.requests().get(0);
        assertEquals(400, request.status());
        assertEquals("InvalidContent", request.errorCode());
        assertEquals(refused.getReservedAttempts().get(0).getRequestId(), request.requestId());
    }

    @Test
    void aStallLongerThanTheReadTimeoutStoresDuplicates() throws Exception {
        int readTimeout = Constants.HTTP_SEND_TIME_OUT;
        Constants.HTTP_SEND_TIME_OUT = 500;
        try {
            cls.stallNext(1, Duration.ofMillis(1500));

            Result result = result(client(ClsEndpoint.DEFAULT_SECRET_KEY, 3)
                    .putLogs("topic-stall", List.of(item(1, "k", "a"), item(2, "k", "b")), null));

            assertTrue(result.isSuccessful(), result::toString);
            assertEquals(2, result.getAttemptCount());
            assertEquals("SendFailed", result.getReservedAttempts().get(0).getErrorCode());
            await().atMost(WAIT).until(() -> cls.heldRequests() == 0);
            assertEquals(2, cls.duplicateLogs(), "stored by the time it is no longer held");
            List<ClsLog> logs = cls.logs("topic-stall");
            assertEquals(4, logs.size());
            assertEquals(1, logs.stream().map(ClsLog::contextFlow).distinct().count(), "one batch, sent twice");
            assertEquals(List.of(200, 200), statuses());
        } finally {
            Constants.HTTP_SEND_TIME_OUT = readTimeout;
        }
    }

    @Test
    void droppedRequestsAreRetried() throws Exception {
        // HttpURLConnection itself re-sends a POST once when the server closes the connection unanswered,
        // so it takes two drops for the SDK to see a SendFailed attempt
        cls.dropNext(2);

        Result result = result(client(ClsEndpoint.DEFAULT_SECRET_KEY, 3)
                .putLogs("topic-drop", List.of(item(1, "k", "v")), null));

        assertTrue(result.isSuccessful(), result::toString);
        assertEquals(2, result.getAttemptCount(), result::toString);
        assertEquals("SendFailed", result.getReservedAttempts().get(0).getErrorCode());
        List<ClsRequest> requests = cls.requests();
        assertEquals(List.of(0, 0, 200), statuses());
        assertNull(requests.get(0).errorCode());
        assertEquals(1, cls.logs("topic-drop").size());
        assertEquals(0, cls.duplicateLogs(), "dropped copies are not stored");
    }

    @Test
    void stallAllHoldsRequestsUntilTurnedOff() throws Exception {
        cls.stallAll(true);
        ListenableFuture<Result> future = client(ClsEndpoint.DEFAULT_SECRET_KEY, 0)
                .putLogs("topic-hold", List.of(item(1, "k", "v")), null);

        await().atMost(WAIT).until(() -> cls.heldRequests() == 1);
        assertEquals(0, cls.logCount());
        assertFalse(future.isDone());
        cls.stallAll(false);

        Result result = result(future);
        assertTrue(result.isSuccessful());
        assertEquals(1, result.getAttemptCount());
        assertEquals(1, cls.logs("topic-hold").size());
        assertEquals(0, cls.heldRequests());
    }

    @Test
    void aClientThatGivesUpOnAHeldRequestIsRecordedUnanswered() throws Exception {
        cls.stallAll(true);
        CompletableFuture<HttpResponse<String>> response = new Raw().timeout(Duration.ofMillis(300)).sendAsync(cls);

        ExecutionException e = assertThrows(ExecutionException.class, () -> response.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException, e::toString);
        await().atMost(WAIT).until(() -> cls.requests().size() == 1);
        assertEquals(0, cls.requests().get(0).status());
        assertEquals(0, cls.heldRequests());
        assertEquals(0, cls.logCount());
    }

    @Test
    void acceptsAPlainProtobufBody() throws Exception {
        LogGroup group = new LogGroup(List.of(new Log(1_700_000_000_123L, List.of(new Pair("msg", "plain")))),
                "flow-1", "", "192.0.2.1", List.of(new Pair("tag", "t")));

        HttpResponse<String> response = new Raw().body(ClsProtobuf.encodeLogGroupList(List.of(group))).send(cls);

        assertEquals(200, response.statusCode(), response::body);
        assertEquals("", response.body());
        String requestId = response.headers().firstValue("X-Cls-Requestid").orElseThrow();
        assertEquals(requestId, cls.requests().get(0).requestId());
        assertEquals(List.of(new ClsLog("raw", 1_700_000_000_123L, Map.of("msg", "plain"), "flow-1", "192.0.2.1")),
                cls.logs("raw"));
    }

    @Test
    void acceptsAnLz4BodyBuiltByHand() throws Exception {
        byte[] pb = ClsProtobuf.encodeLogGroupList(List.of(group(List.of(new Pair("msg", "x".repeat(1000))))));
        byte[] lz4 = LZ4Factory.fastestInstance().fastCompressor().compress(pb);

        HttpResponse<String> response = new Raw().compress("lz4").body(lz4).send(cls);

        assertEquals(200, response.statusCode(), response::body);
        assertEquals(lz4.length, cls.requests().get(0).compressedBytes());
        assertEquals(1000, cls.logs("raw").get(0).get("msg").length());
    }

    @Test
    void rejectsATamperedSignature() throws Exception {
        HttpResponse<String> response = new Raw()
                .tamper(auth -> auth.substring(0, auth.length() - 1) + (auth.endsWith("0") ? "1" : "0"))
                .send(cls);

        assertError(response, 401, "AuthFailure.SignatureFailure");
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.headers().firstValue("X-Cls-Requestid").isPresent());
        assertEquals(0, cls.logCount());
    }

    @Test
    void rejectsWhatTheServiceRejects() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        assertError(new Raw().unsigned().send(cls), 400, "MissingAuthorization");
        assertError(new Raw().tamper(a -> a.replace("q-ak=", "q-ak=x")).send(cls), 401, "AuthFailure.SecretIdNotFound");
        assertError(new Raw().window(now - 600, now - 300).send(cls), 401, "AuthFailure.SignatureExpire");
        assertError(new Raw().tamper(a -> a.replace("sha1", "md5")).send(cls), 401, "AuthFailure.SignatureFailure");
        assertError(new Raw().contentType("application/json").send(cls), 400, "InvalidContentType");
        assertError(new Raw().topic(null).send(cls), 400, "InvalidParam");
        assertError(new Raw().path("/other").send(cls), 404, "InvalidParam");
        assertError(new Raw().method("PUT").send(cls), 405, "InvalidParam");
        assertError(new Raw().chunked().send(cls), 400, "InvalidParam");
        assertError(new Raw().compress("gzip").send(cls), 400, "InvalidCompressType");
        assertError(new Raw().compress("lz4").body(new byte[] {(byte) 0xF0, 1, 2}).send(cls), 400, "InvalidContent");
        assertError(new Raw().body(new byte[] {0x0A, 0x05, 0x0A}).send(cls), 400, "InvalidContent");
        // a Log without its required time
        assertError(new Raw().body(new byte[] {0x0A, 0x02, 0x0A, 0x00}).send(cls), 400, "InvalidContent");
        assertError(new Raw().body(new byte[0]).send(cls), 400, "InvalidContent");
        assertError(new Raw().body(ClsProtobuf.encodeLogGroupList(Collections.nCopies(11, group(List.of()))))
                .send(cls), 400, "InvalidContent");
        assertError(new Raw().body(ClsProtobuf.encodeLogGroupList(List.of(
                new LogGroup(List.of(), "", "", "", List.of())))).send(cls), 400, "InvalidContent");
        HttpResponse<String> reserved = new Raw().body(ClsProtobuf.encodeLogGroupList(
                List.of(group(List.of(new Pair("_reserved", "v")))))).send(cls);
        assertError(reserved, 400, "InvalidContent");
        assertTrue(reserved.body().contains("_reserved"), reserved::body);
        HttpResponse<String> tooLong = new Raw().compress("lz4").body(LZ4Factory.fastestInstance().fastCompressor()
                .compress(ClsProtobuf.encodeLogGroupList(List.of(group(List.of(
                        new Pair("big", "é".repeat(ClsEndpoint.MAX_VALUE_BYTES / 2 + 1)))))))).send(cls);
        assertError(tooLong, 400, "InvalidContent");
        assertTrue(tooLong.body().contains("big"), tooLong::body);

        assertEquals(0, cls.logCount());
        assertEquals(18, cls.requests().size());
        assertTrue(cls.requests().stream().noneMatch(ClsRequest::accepted));
    }

    @Test
    void rejectsTooLargeBodies() throws Exception {
        assertError(new Raw().body(new byte[ClsEndpoint.MAX_DECOMPRESSED_BYTES + 1]).send(cls), 413,
                "ContentIsTooLarge");
        assertError(new Raw().body(new byte[ClsEndpoint.MAX_BODY_BYTES + 1]).send(cls), 413, "ContentIsTooLarge");
        assertEquals(ClsEndpoint.MAX_BODY_BYTES + 1, cls.requests().get(1).compressedBytes());
    }

    @Test
    void validatesItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> cls.failNext(0, 500));
        assertThrows(IllegalArgumentException.class, () -> cls.failNext(1, 200));
        assertThrows(IllegalArgumentException.class, () -> cls.failNext(1, 600));
        assertThrows(IllegalArgumentException.class, () -> cls.failNext("", 1, 500));
        assertThrows(IllegalArgumentException.class, () -> cls.failFor(Duration.ZERO, 500));
        assertThrows(IllegalArgumentException.class, () -> cls.stallNext(1, Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> cls.dropNext(0));
        assertThrows(IllegalArgumentException.class, () -> cls.addCredentials("id", ""));
        assertThrows(NullPointerException.class, () -> cls.restrictTopics(null));
    }

    @Test
    void closeReleasesHeldRequestsAndStopsItsThreads() throws Exception {
        ClsEndpoint endpoint = ClsEndpoint.start();
        String threadPrefix = "syncer-cls-endpoint-" + endpoint.port() + "-";
        endpoint.stallAll(true);
        CompletableFuture<HttpResponse<String>> response = new Raw().sendAsync(endpoint);
        await().atMost(WAIT).until(() -> endpoint.heldRequests() == 1);
        assertTrue(threadNames().contains(threadPrefix + "acceptor"));
        assertTrue(threadNames().contains(threadPrefix + "handler-1"));
        assertFalse(endpoint.toString().contains(ClsEndpoint.DEFAULT_SECRET_KEY));

        long start = System.nanoTime();
        endpoint.close();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMs < 2000, elapsedMs + " ms");
        ExecutionException e = assertThrows(ExecutionException.class, () -> response.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException, e::toString);
        assertEquals(0, endpoint.requests().get(0).status());
        assertTrue(threadNames().stream().noneMatch(n -> n.startsWith(threadPrefix)), threadNames()::toString);
        endpoint.close();
    }

    private List<Integer> statuses() {
        return cls.requests().stream().map(ClsRequest::status).collect(Collectors.toList());
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toList());
    }

    private static LogGroup group(List<Pair> contents) {
        return new LogGroup(List.of(new Log(1, contents)), "", "", "", List.of());
    }

    private static void assertError(HttpResponse<String> response, int status, String errorCode) {
        assertEquals(status, response.statusCode(), response::body);
        assertTrue(response.body().startsWith("{\"errorcode\":\"" + errorCode + "\",\"errormessage\":\""),
                response::body);
    }

    private AsyncProducerClient client(String secretKey, int retries) {
        return track(new AsyncProducerClient(config(ClsEndpoint.DEFAULT_SECRET_ID, secretKey, retries)));
    }

    private AsyncProducerConfig config(String secretId, String secretKey, int retries) {
        AsyncProducerConfig config = new AsyncProducerConfig(cls.url(), secretId, secretKey, SOURCE_IP);
        config.setLingerMs(100);
        config.setRetries(retries);
        config.setMaxReservedAttempts(retries + 1);
        config.setBaseRetryBackoffMs(50);
        config.setMaxRetryBackoffMs(400);
        return config;
    }

    private AsyncProducerClient track(AsyncProducerClient client) {
        clients.add(client);
        return client;
    }

    private static LogItem item(long time, String... keyValues) {
        LogItem item = new LogItem(time);
        for (int i = 0; i < keyValues.length; i += 2) {
            item.PushBack(keyValues[i], keyValues[i + 1]);
        }
        return item;
    }

    private static Result result(ListenableFuture<Result> future) throws Exception {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ResultFailedException failed) {
                return failed.getResult();
            }
            throw e;
        }
    }

    /** A request built by hand: our own encoder and signature, sent with java.net.http. */
    private static final class Raw {
        private String method = "POST";
        private String path = ClsEndpoint.PATH;
        private String topic = "raw";
        private String contentType = "application/x-protobuf";
        private String compress;
        private byte[] body = ClsProtobuf.encodeLogGroupList(List.of(group(List.of(new Pair("k", "v")))));
        private boolean signed = true;
        private boolean chunked;
        private long start = System.currentTimeMillis() / 1000 - 60;
        private long end = start + 360;
        private UnaryOperator<String> tamper = UnaryOperator.identity();
        private Duration timeout = WAIT;

        Raw method(String m) {
            method = m;
            return this;
        }

        Raw path(String p) {
            path = p;
            return this;
        }

        Raw topic(String t) {
            topic = t;
            return this;
        }

        Raw contentType(String c) {
            contentType = c;
            return this;
        }

        Raw compress(String c) {
            compress = c;
            return this;
        }

        Raw body(byte[] b) {
            body = b;
            return this;
        }

        Raw unsigned() {
            signed = false;
            return this;
        }

        Raw chunked() {
            chunked = true;
            return this;
        }

        Raw window(long s, long e) {
            start = s;
            end = e;
            return this;
        }

        Raw tamper(UnaryOperator<String> t) {
            tamper = t;
            return this;
        }

        Raw timeout(Duration t) {
            timeout = t;
            return this;
        }

        HttpResponse<String> send(ClsEndpoint endpoint) throws IOException, InterruptedException {
            return HTTP.send(request(endpoint), HttpResponse.BodyHandlers.ofString());
        }

        CompletableFuture<HttpResponse<String>> sendAsync(ClsEndpoint endpoint) {
            return HTTP.sendAsync(request(endpoint), HttpResponse.BodyHandlers.ofString());
        }

        private HttpRequest request(ClsEndpoint endpoint) {
            Map<String, String> params = topic == null ? Map.of() : Map.of("topic_id", topic);
            String query = topic == null ? "" : "?topic_id=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
            byte[] content = body;
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(endpoint.url() + path + query))
                    .timeout(timeout)
                    .method(method, chunked
                            ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content))
                            : HttpRequest.BodyPublishers.ofByteArray(content))
                    .header("Content-Type", contentType);
            if (compress != null) {
                builder.header("x-cls-compress-type", compress);
            }
            if (signed) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Content-Type", contentType);
                headers.put("Host", "127.0.0.1:" + endpoint.port());
                builder.header("Authorization", tamper.apply(ClsSignature.authorization(ClsEndpoint.DEFAULT_SECRET_ID,
                        ClsEndpoint.DEFAULT_SECRET_KEY, method, path, params, headers, start, end)));
            }
            return builder.build();
        }
    }
}
