package io.syncer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Both examples end to end on the embedded broker, asserting the counts they report and store. */
@WithKafka
@Timeout(180)
class ExamplesIT {
    @Test
    void accessLogPipelineForwardsPerTenantAndDeadLettersUnknownTenants(KafkaBroker broker) throws Exception {
        AccessLogDemo.Summary s = AccessLogDemo.run(broker.bootstrapServers(), 9_700, 4, false);
        assertEquals(9_681, s.expectedAi(), "one record in 500 (19 here) comes from an unknown tenant");
        assertEquals(9_681, s.ai(), "forwarded to the AI topic, read back from the broker");
        assertEquals(951, s.bot(), "every tenth record is bot traffic; 19 of those 970 are the unknown tenant's");
        assertEquals(s.expectedBot(), s.bot());
        assertEquals(19, s.deadLettered(), "unknown tenants are dead-lettered");
        assertEquals(0, s.partitionsBehind());
        assertTrue(s.ok());
    }

    @Test
    void forwardIndexStoresEveryPushedDocument(KafkaBroker broker, @TempDir Path dir) throws Exception {
        assertEquals(5_000, ForwardIndexExample.run(broker.bootstrapServers(), 5_000, dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(ForwardIndexExample.SHARDS, files.count(), "one file per shard");
        }
        assertEquals(5_000, ForwardIndexExample.storedIds(dir).size());
    }
}
