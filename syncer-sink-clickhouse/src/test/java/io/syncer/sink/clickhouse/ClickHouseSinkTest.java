package io.syncer.sink.clickhouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.clickhouse.client.api.ServerException;
import io.syncer.sink.SinkResult;
import java.net.ConnectException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The sink's pure parts: RowBinary encoding, names, versions, error classification. */
class ClickHouseSinkTest {
    @Test
    void encodesRowBinaryLittleEndianWithVarintStrings() {
        RowBuffer row = new RowBuffer();
        row.beginRow();
        row.string("ab").uint8(255).uint16(258).uint32(1L << 31).uint64(1).int32(-1).dateTime(Instant.ofEpochSecond(1))
                .date(LocalDate.ofEpochDay(2));
        assertArrayEquals(new byte[] {2, 'a', 'b', (byte) 255, 2, 1, 0, 0, 0, (byte) 0x80, 1, 0, 0, 0, 0, 0, 0, 0,
                -1, -1, -1, -1, 1, 0, 0, 0, 2, 0}, row.bytes());
        assertEquals(8, row.values());
        RowBuffer longString = new RowBuffer();
        longString.string("x".repeat(300));
        assertEquals((byte) 0xAC, longString.bytes()[0], "300 = 0xAC 0x02 as a varint");
        assertEquals(2, longString.bytes()[1]);
    }

    @Test
    void rowsStreamAsSlicesAndABadRowRollsBack() throws Exception {
        RowBuffer rows = new RowBuffer();
        for (int i = 0; i < 3; i++) {
            rows.beginRow();
            rows.uint8(i);
            if (i == 1) {
                assertThrows(IllegalArgumentException.class, () -> rows.uint8(999));
                rows.abortRow();
                continue;
            }
            rows.uint8(i + 10);
            rows.endRow();
        }
        assertEquals(2, rows.rows());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        rows.writeRows(out, 0, 2);
        assertArrayEquals(new byte[] {0, 10, 2, 12}, out.toByteArray(), "the aborted row left nothing behind");
        out.reset();
        rows.writeRows(out, 1, 2);
        assertArrayEquals(new byte[] {2, 12}, out.toByteArray());
    }

    @Test
    void aValueThatDoesNotFitItsColumnFailsWithItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RowBuffer().string("a").uint8(300));
        assertEquals("column 2: 300 does not fit UInt8", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RowBuffer().uint64(-1));
        assertThrows(IllegalArgumentException.class, () -> new RowBuffer().dateTime(Instant.ofEpochSecond(-1)));
        assertThrows(IllegalArgumentException.class, () -> new RowBuffer().string(null));
    }

    @Test
    void onlyPlainIdentifiersBecomeQuotedTableNames() {
        assertEquals("`access_1`", TableNames.quotedTable("access_1"));
        assertEquals("`db`.`t`", TableNames.quotedTable("db.t"));
        for (String bad : new String[] {"x'; DROP TABLE t; --", "x`y", "a;b", "a b", "1abc", "", "a.b.c", "x\"y", "db."}) {
            assertNull(TableNames.quotedTable(bad), bad);
        }
    }

    @Test
    void dateTime64ScalesToItsPrecision() {
        RowBuffer row = new RowBuffer();
        row.dateTime64(Instant.ofEpochSecond(1, 234_000_000), 3).bool(true);
        assertArrayEquals(new byte[] {(byte) 0xD2, 4, 0, 0, 0, 0, 0, 0, 1}, row.bytes(), "1.234 s = 1234 ms, then 1");
        assertThrows(IllegalArgumentException.class, () -> new RowBuffer().dateTime64(Instant.EPOCH, 10));
    }

    @Test
    void classifiesByErrorCodeAndTransport() {
        assertEquals(ClickHouseOutcome.Kind.RETRY, kind(new ServerException(252, "Too many parts", 500, "q")));
        assertEquals(ClickHouseOutcome.Kind.RETRY, kind(new ServerException(241, "Memory limit", 500, "q")));
        assertEquals(ClickHouseOutcome.Kind.DESTINATION, kind(new ServerException(60, "Table x doesn't exist", 404, "q")));
        assertEquals(SinkResult.Status.DESTINATION_UNAVAILABLE,
                ClickHouseOutcome.of("ch", "t", new ServerException(60, "Table x doesn't exist", 404, "q")).result().status());
        assertEquals(ClickHouseOutcome.Kind.UNAVAILABLE, kind(new ServerException(516, "Authentication failed", 401, "q")));
        assertEquals(ClickHouseOutcome.Kind.ROWS, kind(new ServerException(27, "Cannot parse input", 400, "q")));
        // issue 12: a server that does not answer is the sink's outage (held, probed), not a record retry with a budget
        assertEquals(ClickHouseOutcome.Kind.UNAVAILABLE, kind(new CompletionException(new ConnectException("refused"))));
        assertEquals(SinkResult.Status.UNAVAILABLE,
                ClickHouseOutcome.of("ch", "t", new CompletionException(new ConnectException("refused"))).result().status());
        // 18.16's text, when the client could not parse the code
        assertEquals(ClickHouseOutcome.Kind.DESTINATION,
                kind(new RuntimeException("Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist.")));
        assertEquals(ClickHouseOutcome.Kind.UNAVAILABLE,
                kind(new RuntimeException("Code: 193, e.displayText() = DB::Exception: Wrong password for user default")));
        ClickHouseOutcome rows = ClickHouseOutcome.of("ch", "t", new ServerException(27, "Cannot parse input", 400, "qid-1"));
        assertEquals("27", rows.error.details().get(ClickHouseOutcome.CODE));
        assertEquals("qid-1", rows.error.details().get(ClickHouseOutcome.QUERY_ID));
        assertEquals(SinkResult.Status.FAIL, rows.result().status());
    }

    private static ClickHouseOutcome.Kind kind(Throwable t) {
        return ClickHouseOutcome.of("ch", "t", t).kind;
    }

    @Test
    void insertLogOffsetsRoundTripInAboutOneBytePerDenseRecord() {
        long[] dense = new long[1_000];
        for (int i = 0; i < dense.length; i++) {
            dense[i] = 5_000_000_000L + i * 3L;
        }
        String text = InsertLog.encode(dense);
        assertArrayEquals(dense, InsertLog.decode(text));
        assertTrue(text.length() < 1_400, "about 4/3 characters per record: " + text.length());
        assertArrayEquals(new long[] {0, 127, 128, Long.MAX_VALUE}, InsertLog.decode(InsertLog.encode(new long[] {0, 127, 128, Long.MAX_VALUE})));
        assertArrayEquals(new long[0], InsertLog.decode(InsertLog.encode(new long[0])));
    }

    @Test
    void insertTokensNameTheRowsWhateverTheirOrder() {
        Insert a = new Insert("t", "`t`");
        Insert b = new Insert("t", "`t`");
        SinkResult[] out = new SinkResult[3];
        for (long o : new long[] {7, 3, 5}) {
            a.add(out, 0, new org.apache.kafka.clients.consumer.ConsumerRecord<>("logs", 2, o, new byte[0], new byte[0]));
        }
        for (long o : new long[] {3, 5, 7}) {
            b.add(out, 0, new org.apache.kafka.clients.consumer.ConsumerRecord<>("logs", 2, o, new byte[0], new byte[0]));
        }
        assertEquals(b.token(), a.token(), "the same rows gathered in another order after a restart");
        assertTrue(a.token().startsWith("t-logs-2-3-7-3-"), a.token());
        Insert gap = new Insert("t", "`t`");
        for (long o : new long[] {3, 7}) {
            gap.add(out, 0, new org.apache.kafka.clients.consumer.ConsumerRecord<>("logs", 2, o, new byte[0], new byte[0]));
        }
        assertFalse(gap.token().equals(a.token()));
        assertEquals(gap.token(), a.slice(0, 2).token(), "a half after a split names its own rows (7 and 3)");
    }

    @Test
    void theInsertLogTableIsOrderedByPartitionAndExpires() {
        String ddl = InsertLog.ddl("`db`.`ilog`", java.time.Duration.ofDays(7));
        assertTrue(ddl.startsWith("CREATE TABLE IF NOT EXISTS `db`.`ilog` ("), ddl);
        assertTrue(ddl.contains("ORDER BY (topic, partition, last)"), ddl);
        assertTrue(ddl.contains("INTERVAL 168 HOUR"), ddl);
    }
}
