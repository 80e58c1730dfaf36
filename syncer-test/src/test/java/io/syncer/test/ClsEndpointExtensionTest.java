package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link WithCls}: one endpoint per top-level test class, injected everywhere in it, closed after it. */
@WithCls
class ClsEndpointExtensionTest {
    private static ClsEndpoint fromBeforeAll;

    @BeforeAll
    static void capture(ClsEndpoint endpoint) {
        fromBeforeAll = endpoint;
    }

    @AfterAll
    static void stillOpenInAfterAll(ClsEndpoint endpoint) throws Exception {
        assertSame(fromBeforeAll, endpoint);
        assertTrue(endpoint.requests().isEmpty());
        // the @Nested class's end did not close it
        try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
            assertTrue(socket.isConnected());
        }
    }

    @Test
    void injectsTheClasssEndpoint(ClsEndpoint endpoint) {
        assertSame(fromBeforeAll, endpoint);
        assertTrue(endpoint.url().startsWith("http://127.0.0.1:"), endpoint::url);
    }

    @Test
    void injectsItAgain(ClsEndpoint endpoint) {
        assertSame(fromBeforeAll, endpoint);
    }

    @Nested
    class NestedClass {
        @Test
        void sharesTheEnclosingClasssEndpoint(ClsEndpoint endpoint) {
            assertSame(fromBeforeAll, endpoint);
        }
    }
}
