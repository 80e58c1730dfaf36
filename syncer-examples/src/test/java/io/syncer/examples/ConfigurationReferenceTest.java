package io.syncer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.QueueWorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is what {@link ConfigurationReference} generates from today's code. The build writes the
 * generated text to {@code target/configuration.md} every time; {@code -Dsyncer.docs.write=true} updates the
 * committed file.
 */
class ConfigurationReferenceTest {

    @Test
    void theCommittedReferenceIsWhatTheCodeGenerates() throws Exception {
        String generated = ConfigurationReference.generate();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "configuration.md"), generated);
        if (Boolean.getBoolean("syncer.docs.write")) {
            Files.writeString(ConfigurationReference.DOC, generated);
        }
        String committed = Files.exists(ConfigurationReference.DOC) ? Files.readString(ConfigurationReference.DOC) : "";
        assertEquals(generated, committed, "docs/configuration.md is stale (compare syncer-examples/target/configuration.md);"
                + " regenerate it: mvn -B -q -pl syncer-examples test -Dtest=ConfigurationReferenceTest -Dsyncer.docs.write=true");
    }

    @Test
    void everyPropertiesKeyIsInTheReference() throws Exception {
        String generated = ConfigurationReference.generate();
        for (var keys : java.util.List.of(ConsumerGroupConfig.propertyKeys(), QueueWorkerConfig.propertyKeys(),
                KafkaProducersConfig.propertyKeys())) {
            for (String key : keys.keySet()) {
                assertTrue(generated.contains("`" + key + "`"), key);
            }
        }
        assertTrue(generated.contains("| `commitInterval(Duration)` | duration | 1 s | `syncer.consumer.commit.interval` |"
                + " `syncer.pipelines.<name>.consumer.commit-interval` |"), "a row carries its default and both keys");
    }

    @Test
    void valuesAreFormattedWithTheirUnits() {
        assertEquals("100 ms", ConfigurationReference.format(Duration.ofMillis(100)));
        assertEquals("30 s", ConfigurationReference.format(Duration.ofSeconds(30)));
        assertEquals("5 min", ConfigurationReference.format(Duration.ofMinutes(5)));
        assertEquals("64 MiB", ConfigurationReference.format(64L * 1024 * 1024));
        assertEquals("10,000", ConfigurationReference.format(10_000));
        assertEquals("max.queued.records", ConfigurationReference.dotted("maxQueuedRecords"));
        assertEquals("max-queued-records", ConfigurationReference.kebab("maxQueuedRecords"));
    }
}
