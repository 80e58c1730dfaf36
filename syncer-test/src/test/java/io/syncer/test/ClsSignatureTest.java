package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tencentcloudapi.cls.producer.util.QcloudClsSignature;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our v1 signature, written from the algorithm, against the SDK's {@code QcloudClsSignature}. */
class ClsSignatureTest {

    @ParameterizedTest
    @ValueSource(strings = {"0000-topic-uuid", "odd topic~*/é+&="})
    void matchesTheSdksSignature(String topicId) throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Length", "193");
        headers.put("Content-Type", "application/x-protobuf");
        headers.put("Host", "127.0.0.1:33781");
        String header = QcloudClsSignature.buildSignature("AKIDx", "secret", "POST", "/structuredlog",
                Map.of("topic_id", topicId), headers, 300000);

        ClsSignature.Authorization auth = ClsSignature.parse(header);

        assertEquals("AKIDx", auth.secretId());
        assertEquals(List.of("content-type", "host"), auth.headerList());
        assertEquals(List.of("topic_id"), auth.paramList());
        assertEquals(360, auth.signEnd() - auth.signStart(), 1);
        assertEquals(auth.signature(), ClsSignature.signature("secret", auth.keyTime(), auth.signTime(), "POST",
                "/structuredlog", Map.of("topic_id", topicId),
                Map.of("content-type", "application/x-protobuf", "host", "127.0.0.1:33781")));
        assertFalse(auth.toString().contains(auth.signature()));
    }

    @Test
    void buildsWhatItParses() {
        String header = ClsSignature.authorization("AKIDx", "secret", "POST", "/structuredlog",
                Map.of("topic_id", "t"), Map.of("Host", "h:1", "Content-Type", "application/x-protobuf"), 100, 200);

        ClsSignature.Authorization auth = ClsSignature.parse(header);

        assertEquals("100;200", auth.signTime());
        assertEquals(List.of("content-type", "host"), auth.headerList());
        assertEquals(auth.signature(), ClsSignature.signature("secret", "100;200", "100;200", "post", "/structuredlog",
                Map.of("topic_id", "t"), Map.of("host", "h:1", "content-type", "application/x-protobuf")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "q-ak=a",
            "q-sign-algorithm=md5&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature="
                    + "0123456789012345678901234567890123456789",
            "q-sign-algorithm=sha1&q-ak=a&q-sign-time=2;1&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature="
                    + "0123456789012345678901234567890123456789",
            "q-sign-algorithm=sha1&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature="
                    + "xyz",
            "q-sign-algorithm=sha1&q-ak=&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature="
                    + "0123456789012345678901234567890123456789",
    })
    void rejectsMalformedHeaders(String header) {
        assertThrows(IllegalArgumentException.class, () -> ClsSignature.parse(header));
    }
}
