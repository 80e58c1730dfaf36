package io.syncer.produce;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncer.SyncerException;
import org.junit.jupiter.api.Test;

/** Errors at the edge are translated once (issue 16, item 6). */
class KafkaProducersTest {
    @Test
    void anUnresolvableBootstrapAddressIsASyncerErrorThatNamesIt() {
        SyncerException e = assertThrows(SyncerException.class, () -> KafkaProducers.create(
                KafkaProducersConfig.builder().bootstrapServers("no-such-host.invalid:9092").build()));
        assertTrue(e.getMessage().contains("no-such-host.invalid:9092"), e.getMessage());
        assertTrue(e.getMessage().contains("resolvable"), "the client's own reason is kept: " + e.getMessage());
    }
}
