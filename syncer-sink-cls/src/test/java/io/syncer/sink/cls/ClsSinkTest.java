package io.syncer.sink.cls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tencentcloudapi.cls.producer.Result;
import com.tencentcloudapi.cls.producer.common.Attempt;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkWriteException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The sink's pure parts: classification of CLS answers, mapping, resources, secrets in text. */
class ClsSinkTest {
    private static SinkRecord<Object> record(Object value, long timestamp) {
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("logs", 2, 41, timestamp,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, null, new byte[0],
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
        return new SinkRecord<>(value, "topic-a", source);
    }

    /** Collects what a mapper writes. */
    private static final class Collected implements LogBuilder {
        final Map<String, String> fields = new java.util.LinkedHashMap<>();
        Long time;

        @Override
        public LogBuilder time(long epochMillis) {
            time = epochMillis;
            return this;
        }

        @Override
        public LogBuilder field(String key, String value) {
            fields.put(key, value);
            return this;
        }
    }

    private static Collected map(LogMapper<Object> mapper, SinkRecord<Object> record) throws Exception {
        Collected c = new Collected();
        mapper.map(record, c);
        return c;
    }

    private static Result failed(String code, String requestId) {
        return new Result(false, List.of(new Attempt(false, requestId, code, "msg of " + code, 1L)), 1);
    }

    @Test
    void classifiesEveryCodeTheSdkReports() {
        assertEquals(ClsOutcome.Kind.UNAVAILABLE, ClsOutcome.of("cls", "t", failed("AuthFailure", "r1")).kind);
        assertEquals(SinkResult.Status.UNAVAILABLE, ClsOutcome.of("cls", "t", failed("AuthFailure", "r1")).result().status());
        assertEquals(ClsOutcome.Kind.DESTINATION, ClsOutcome.of("cls", "t", failed("SingleValueExceed1M", "r")).kind);
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE,
                ClsOutcome.of("cls", "t", failed("SingleValueExceed1M", "r")).result().status());
        assertEquals(ClsOutcome.Kind.TOPIC, ClsOutcome.of("cls", "t", failed("TopicNotExists", "r")).kind);
        assertEquals(SinkResult.Status.FAIL, ClsOutcome.of("cls", "t", failed("TopicNotExists", "r")).result().status());
        assertEquals(ClsOutcome.Kind.CONTENT, ClsOutcome.of("cls", "t", failed("InvalidParam", "r")).kind);
        assertEquals(ClsOutcome.Kind.CONTENT, ClsOutcome.of("cls", "t", failed("ContentIsTooLarge", "r")).kind);
        assertEquals(SinkResult.Status.RETRY, ClsOutcome.of("cls", "t", failed("SomethingNew", "r")).result().status());
    }

    /**
     * Issue 12 (the reliability scenarios): CLS answering 5xx, a network failure, or throttling a topic for longer than
     * the retry budget (about 33 s) dead-lettered records that were not bad. The service down is the sink's outage,
     * a throttled topic that topic's: held and probed, never dead-lettered.
     */
    @Test
    void aServiceThatFailsOrThrottlesHoldsTheRecordsInsteadOfSpendingTheirRetries() {
        assertEquals(SinkResult.Status.UNAVAILABLE, ClsOutcome.of("cls", "t", failed("BadResponse", "r")).result().status());
        assertEquals(SinkResult.Status.UNAVAILABLE, ClsOutcome.of("cls", "t", failed("SendFailed", "r")).result().status());
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE,
                ClsOutcome.of("cls", "t", failed("SpeedQuotaExceed", "r")).result().status());
    }

    @Test
    void aFailureCarriesTheCodeMessageAndRequestIdAsDetails() {
        SinkWriteException e = ClsOutcome.of("cls", "topic-9", failed("TopicNotExists", "req-77")).error;
        assertEquals("cls", e.sink());
        assertEquals("TopicNotExists", e.details().get(ClsOutcome.CODE));
        assertEquals("req-77", e.details().get(ClsOutcome.REQUEST_ID));
        assertEquals("topic-9", e.details().get(ClsOutcome.TOPIC));
        assertEquals("msg of TopicNotExists", e.details().get(ClsOutcome.MESSAGE));
        assertTrue(e.getMessage().contains("topic-9") && e.getMessage().contains("req-77"), e.getMessage());
        assertFalse(e.isRetriable());
        assertFalse(ClsOutcome.of("cls", "t", failed("SendFailed", "")).error.details().containsKey(ClsOutcome.REQUEST_ID),
                "an empty request id is left out");
    }

    @Test
    void theJsonMapperFlattensObjectsKeepsArraysAsTextAndDropsNulls() throws Exception {
        Collected e = map(LogMapper.json(), record(
                "{\"appid\":\"125\",\"req\":{\"path\":\"/a\",\"ua\":{\"bot\":true}},\"tags\":[1,2],\"gone\":null,\"ms\":12.5}"
                        .getBytes(StandardCharsets.UTF_8), 1_700_000_000_123L));
        assertEquals(Map.of("appid", "125", "req.path", "/a", "req.ua.bot", "true", "tags", "[1,2]", "ms", "12.5"), e.fields);
        assertEquals(null, e.time, "no time set without a time field: the sink uses the Kafka timestamp");
    }

    @Test
    void theTimeFieldReadsSecondsMillisAndIsoAndRejectsGarbage() throws Exception {
        JsonLogMapper<Object> m = LogMapper.json().timeField("ts");
        assertEquals(1_700_000_000_000L, map(m, record(Map.of("ts", 1_700_000_000L), 5)).time);
        assertEquals(1_700_000_000_456L, map(m, record(Map.of("ts", 1_700_000_000_456L), 5)).time);
        assertEquals(1_700_000_000_000L, map(m, record(Map.of("ts", "2023-11-14T22:13:20Z"), 5)).time);
        assertEquals(5L, map(m, record(Map.of("other", 1), 5)).time, "missing field: the Kafka timestamp");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> map(m, record(Map.of("ts", "yesterday"), 5)));
        assertTrue(bad.getMessage().contains("'ts'"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> map(LogMapper.json(), record("[1,2]", 5)), "not an object");
    }

    @Test
    void resourcesMapTenantsAndChangeAtRuntime() {
        ClsResources r = ClsResources.of(Map.of("t1", "topic-1"));
        assertEquals("topic-1", r.route("cls", "t1").destination());
        UnknownTenantException unknown = assertThrows(UnknownTenantException.class, () -> r.topicFor("t2"));
        assertEquals("t2", unknown.tenant());
        assertFalse(unknown.isRetriable(), "an unknown tenant is a record error");
        r.put("t2", "topic-2");
        assertEquals("topic-2", r.topicFor("t2"));
        r.replaceAll(Map.of("t3", "topic-3"));
        assertTrue(r.find("t1").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> r.put("t4", " "));
    }

    @Test
    void secretsNeverAppearInText() {
        ClsCredentials c = ClsCredentials.temporary("AKIDsecretIdValue", "theSecretKeyValue", "theTokenValue");
        String text = c.toString();
        assertFalse(text.contains("secretIdValue") || text.contains("theSecretKeyValue") || text.contains("theTokenValue"), text);
        assertEquals("AKID****", c.maskedId());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> ClsCredentials.fromEnvironment(Map.of(ClsCredentials.ENV_SECRET_ID, "AKIDx")));
        assertTrue(missing.getMessage().contains(ClsCredentials.ENV_SECRET_KEY));
    }

    @Test
    void theBuilderRejectsWhatTheSdkWouldMisuse() {
        ClsCredentials c = ClsCredentials.of("id", "key");
        assertThrows(IllegalArgumentException.class, () -> ClsSink.builder("cls", "http://127.0.0.1", c), "bare IP");
        assertThrows(IllegalArgumentException.class, () -> ClsSink.builder("cls", "ftp://x:1", c));
        assertThrows(IllegalArgumentException.class, () -> ClsSink.builder("cls", "http://host:1/structuredlog", c));
        assertThrows(IllegalArgumentException.class, () -> ClsSink.builder("bad name", "http://host:1", c));
        assertThrows(IllegalArgumentException.class, () -> ClsSink.builder("cls", "http://host:1", c).bufferBytes(10));
        assertThrows(IllegalArgumentException.class,
                () -> ClsSink.builder("cls", "http://host:1", c).httpTimeouts(java.time.Duration.ZERO, java.time.Duration.ofSeconds(1)));
        assertFalse(ClsSink.Builder.detectSourceIp().isBlank());
    }
}
