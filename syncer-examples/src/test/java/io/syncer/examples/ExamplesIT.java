package io.syncer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo end to end on its four real services (started once for the class, as the demo command
 * starts them), its fault variants, and the forward-index example. Every figure asserted here was
 * read back from the sink's own store by {@link SinkReadBack}, not taken from syncer.
 */
@Timeout(600)
class ExamplesIT {
    private static final int RECORDS = 20_000;
    private static DemoServices services;

    @BeforeAll
    static void startServices() throws Exception {
        services = DemoServices.start(Map.of());
    }

    @AfterAll
    static void stopServices() {
        if (services != null) {
            services.close();
        }
    }

    private static AccessLogDemo.Summary demo(String fault) throws Exception {
        return AccessLogDemo.run(services, new AccessLogDemo.Options(RECORDS, 4, 7, fault, false, 0,
                Duration.ofSeconds(240), true));
    }

    private static void assertEverySinkMatches(AccessLogDemo.Summary s) {
        AccessLogStream.Expected want = s.expected();
        assertEquals(RECORDS, want.produced());
        assertEquals(AccessLogStream.TENANTS.size(), want.byTenant().size(), "every tenant sent something");
        for (String sink : new String[] {"cls", "ai", "es", "ch"}) {
            assertEquals(want.byTenant(), s.stored().get(sink).distinctByTenant(), sink + ": distinct records per tenant");
        }
        assertEquals(want.botsByTenant(), s.stored().get("bot").distinctByTenant(), "bot topic: per tenant");
        assertEquals(want.good(), s.stored().get("es").raw(), "no OpenSearch document outside the expected indices");
        assertEquals(want.good(), s.stored().get("ai").raw(), "no duplicate in the AI topic");
        assertEquals(want.deadLetters(), s.deadLetters().count(), "dead letters: malformed, no tenant, unknown tenant");
        assertEquals(0, s.deadLetters().withoutReason());
        assertEquals(0, s.partitionsBehind(), "every source partition committed to its log end");
        assertTrue(s.ok(), "the demo's own verdict");
    }

    @Test
    void theDemoDeliversEveryRecordToEverySinkAndDeadLettersTheBadOnes() throws Exception {
        AccessLogDemo.Summary s = demo(null);
        assertEverySinkMatches(s);
        long malformed = RECORDS / AccessLogStream.MALFORMED_EVERY;
        long unknown = RECORDS / AccessLogStream.UNKNOWN_EVERY;
        assertEquals(malformed + unknown, s.deadLetters().count(), "one in 1,000 malformed, one in 400 unknown");
        assertTrue(s.deadLetters().byReason().keySet().stream().anyMatch(r -> r.contains("RecordDecodeException")),
                "malformed records carry the decoder's failure: " + s.deadLetters().byReason());
        assertTrue(s.sinkStats().values().stream().allMatch(st -> st.failed() == 0), "no sink failed a record: " + s.sinkStats());
    }

    @Test
    void anOpenSearchOutageOf20SecondsLosesNothing() throws Exception {
        AccessLogDemo.Summary s = demo("opensearch-stop");
        assertEverySinkMatches(s);
        assertTrue(s.faults().stream().anyMatch(e -> e.contains("serves again")), "the node came back: " + s.faults());
        assertTrue(s.maxHeld().get("es") > 0, "the outage held records (not retried into dead letters): " + s.maxHeld());
    }

    @Test
    void clsAnswering429For20SecondsLosesNothing() throws Exception {
        AccessLogDemo.Summary s = demo("cls-429");
        assertEverySinkMatches(s);
        assertTrue(services.clsEndpoint().requests().stream().anyMatch(r -> r.status() == 429), "the endpoint answered 429s");
        assertTrue(s.maxHeld().get("cls") > 0, "the throttled topics' records were held: " + s.maxHeld());
        assertEquals(0, s.stored().get("cls").raw() - s.stored().get("cls").distinct(), "a 429 stores nothing: no duplicates");
        // this run has retries and dead letters, so every meter the dashboard shows exists (counters are made on first use)
        for (String metric : GrafanaDashboard.metricNames()) {
            assertTrue(s.scrape().contains("\n" + metric + "{") || s.scrape().contains("\n" + metric + " "),
                    "the Grafana dashboard queries " + metric + ", which the Prometheus page does not have");
        }
    }

    @Test
    void aClickHouseRestartLosesNothing() throws Exception {
        AccessLogDemo.Summary s = demo("clickhouse-restart");
        assertEverySinkMatches(s);
        assertTrue(s.maxHeld().get("ch") > 0, "the restart held records (not retried into dead letters): " + s.maxHeld());
    }

    @Test
    void forwardIndexStoresEachDocumentOnce() throws Exception {
        assertEquals(5_000, ForwardIndexExample.run(services.bootstrapServers, services.openSearchUrl, 5_000),
                "5,100 pushes of 5,000 documents: each stored once under its id");
    }
}
