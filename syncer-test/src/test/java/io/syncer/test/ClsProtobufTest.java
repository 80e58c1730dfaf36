package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tencentcloudapi.cls.producer.common.Logs;
import io.syncer.test.ClsProtobuf.DecodeException;
import io.syncer.test.ClsProtobuf.Log;
import io.syncer.test.ClsProtobuf.LogGroup;
import io.syncer.test.ClsProtobuf.Pair;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our wire-format codec against the SDK's protoc-generated classes, both ways, and on malformed input. */
class ClsProtobufTest {

    @Test
    void decodesWhatTheSdkEncodes() throws Exception {
        byte[] bytes = Logs.LogGroupList.newBuilder()
                .addLogGroupList(Logs.LogGroup.newBuilder()
                        .addLogs(Logs.Log.newBuilder().setTime(1_700_000_000_123L)
                                .addContents(Logs.Log.Content.newBuilder().setKey("msg").setValue("日志 ✓"))
                                .addContents(Logs.Log.Content.newBuilder().setKey("empty").setValue("")))
                        .addLogs(Logs.Log.newBuilder().setTime(-1))
                        .setContextFlow("062CEEEC487B02B1-0").setFilename("f.log").setSource("10.1.2.3")
                        .addLogTags(Logs.LogTag.newBuilder().setKey("tag").setValue("v")))
                .addLogGroupList(Logs.LogGroup.newBuilder().addLogs(Logs.Log.newBuilder().setTime(1)))
                .build().toByteArray();

        List<LogGroup> groups = ClsProtobuf.decodeLogGroupList(bytes, bytes.length);

        assertEquals(List.of(
                new LogGroup(List.of(
                        new Log(1_700_000_000_123L, List.of(new Pair("msg", "日志 ✓"), new Pair("empty", ""))),
                        new Log(-1, List.of())),
                        "062CEEEC487B02B1-0", "f.log", "10.1.2.3", List.of(new Pair("tag", "v"))),
                new LogGroup(List.of(new Log(1, List.of())), "", "", "", List.of())), groups);
    }

    @Test
    void encodesByteForByteLikeTheSdk() {
        // (comparing bytes rather than parsing with the SDK's classes: their pre-3.21.7 parsing code makes
        // protobuf-java 3.25 log a warning per message type)
        LogGroup group = new LogGroup(List.of(new Log(42, List.of(new Pair("k", "värde"), new Pair("e", "")))),
                "flow", "", "src", List.of(new Pair("t", "v")));
        Logs.LogGroup sdkGroup = Logs.LogGroup.newBuilder()
                .addLogs(Logs.Log.newBuilder().setTime(42)
                        .addContents(Logs.Log.Content.newBuilder().setKey("k").setValue("värde"))
                        .addContents(Logs.Log.Content.newBuilder().setKey("e").setValue("")))
                .setContextFlow("flow").setSource("src")
                .addLogTags(Logs.LogTag.newBuilder().setKey("t").setValue("v"))
                .build();

        assertArrayEquals(Logs.LogGroupList.newBuilder().addLogGroupList(sdkGroup).addLogGroupList(sdkGroup).build()
                .toByteArray(), ClsProtobuf.encodeLogGroupList(List.of(group, group)));
    }

    @Test
    void skipsUnknownFields() throws Exception {
        ByteArrayOutputStream group = new ByteArrayOutputStream();
        group.writeBytes(new byte[] {0x0A, 0x02, 0x08, 0x07});        // logs { time: 7 }
        group.writeBytes(new byte[] {(byte) 0x78, 0x01});             // field 15, varint
        group.writeBytes(new byte[] {(byte) 0x81, 0x01, 1, 2, 3, 4, 5, 6, 7, 8}); // field 16, fixed64
        group.writeBytes(new byte[] {(byte) 0x8D, 0x01, 1, 2, 3, 4}); // field 17, fixed32
        group.writeBytes(new byte[] {(byte) 0x92, 0x01, 0x01, 0x00}); // field 18, length-delimited
        byte[] list = concat(new byte[] {0x0A, (byte) group.size()}, group.toByteArray());

        List<LogGroup> groups = ClsProtobuf.decodeLogGroupList(list, list.length);

        assertEquals(7, groups.get(0).logs().get(0).time());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "0A",             // truncated tag value
            "0A05 0A",        // length beyond the end
            "0A02 0A00 FF",   // truncated varint
            "0A02 0A00",      // a Log without time
            "0A06 0A04 0801 1200", // a Content without key and value
            "0A08 0A06 0801 1202 0A00", // a Content without value
            "0A04 0A02 1201", // time as length-delimited
            "0B",             // group wire type
            "00",             // field number 0
            "0A03 1201 FF",   // contextFlow not UTF-8
            "0A0B 0A09 0801 1205 0A03 C328 41", // key not UTF-8
            "0A0C FFFFFFFFFFFFFFFFFFFF01"       // varint longer than 10 bytes
    })
    void rejectsMalformedMessages(String hex) {
        byte[] bytes = hex(hex);
        DecodeException e = assertThrows(DecodeException.class,
                () -> ClsProtobuf.decodeLogGroupList(bytes, bytes.length));
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void readsOnlyTheGivenLength() throws Exception {
        byte[] bytes = concat(ClsProtobuf.encodeLogGroupList(List.of(
                new LogGroup(List.of(new Log(1, List.of())), "", "", "", List.of()))), new byte[] {(byte) 0xFF});

        assertEquals(1, ClsProtobuf.decodeLogGroupList(bytes, bytes.length - 1).size());
    }

    private static byte[] hex(String hex) {
        String h = hex.replace(" ", "");
        byte[] bytes = new byte[h.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
