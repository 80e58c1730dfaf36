package io.syncer.test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The protobuf messages of the CLS upload API ({@code cls.LogGroupList}, proto2), decoded and encoded with a
 * wire-format reader and writer of its own: independent of protobuf-java and of the SDK's generated classes, so the
 * endpoint does not share their bugs.
 *
 * <p>The decoder enforces the required fields ({@code Log.time}, {@code key} and {@code value} of a content or tag),
 * strict UTF-8 in strings and the wire type of every known field; unknown fields of wire types 0, 1, 2 and 5 are
 * skipped, groups are rejected. It does not check the service limits: see {@link ClsEndpoint}. Stateless and
 * thread-safe.
 */
final class ClsProtobuf {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private ClsProtobuf() {
    }

    /** A {@code cls.LogGroup}; absent optional strings are empty. */
    record LogGroup(List<Log> logs, String contextFlow, String filename, String source, List<Pair> logTags) {
        LogGroup {
            logs = List.copyOf(logs);
            contextFlow = Objects.requireNonNull(contextFlow, "contextFlow");
            filename = Objects.requireNonNull(filename, "filename");
            source = Objects.requireNonNull(source, "source");
            logTags = List.copyOf(logTags);
        }
    }

    /** A {@code cls.Log}: its time as sent (seconds or milliseconds) and its contents in wire order. */
    record Log(long time, List<Pair> contents) {
        Log {
            contents = List.copyOf(contents);
        }
    }

    /** A {@code Log.Content} or a {@code LogTag}. */
    record Pair(String key, String value) {
        Pair {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** The body is not a valid {@code cls.LogGroupList}; the message says where. */
    static final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;

        DecodeException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Decodes a {@code cls.LogGroupList}.
     *
     * @param data the buffer
     * @param length how many bytes of {@code data}, from 0, hold the message
     * @return the log groups in wire order
     * @throws DecodeException if the bytes are not a valid message
     */
    static List<LogGroup> decodeLogGroupList(byte[] data, int length) throws DecodeException {
        Reader in = new Reader(data, 0, length);
        List<LogGroup> groups = new ArrayList<>();
        while (in.hasMore()) {
            int tag = in.tag();
            if (field(tag) == 1) {
                groups.add(decodeLogGroup(in.message(tag, "LogGroupList.logGroupList")));
            } else {
                in.skip(tag);
            }
        }
        return groups;
    }

    private static LogGroup decodeLogGroup(Reader in) throws DecodeException {
        List<Log> logs = new ArrayList<>();
        List<Pair> tags = new ArrayList<>();
        String contextFlow = "";
        String filename = "";
        String source = "";
        while (in.hasMore()) {
            int tag = in.tag();
            switch (field(tag)) {
                case 1 -> logs.add(decodeLog(in.message(tag, "LogGroup.logs")));
                case 2 -> contextFlow = in.string(tag, "LogGroup.contextFlow");
                case 3 -> filename = in.string(tag, "LogGroup.filename");
                case 4 -> source = in.string(tag, "LogGroup.source");
                case 5 -> tags.add(decodePair(in.message(tag, "LogGroup.logTags"), "LogTag"));
                default -> in.skip(tag);
            }
        }
        return new LogGroup(logs, contextFlow, filename, source, tags);
    }

    private static Log decodeLog(Reader in) throws DecodeException {
        Long time = null;
        List<Pair> contents = new ArrayList<>();
        while (in.hasMore()) {
            int tag = in.tag();
            switch (field(tag)) {
                case 1 -> time = in.varint(tag, "Log.time");
                case 2 -> contents.add(decodePair(in.message(tag, "Log.contents"), "Log.Content"));
                default -> in.skip(tag);
            }
        }
        if (time == null) {
            throw new DecodeException("required field Log.time is missing");
        }
        return new Log(time, contents);
    }

    private static Pair decodePair(Reader in, String type) throws DecodeException {
        String key = null;
        String value = null;
        while (in.hasMore()) {
            int tag = in.tag();
            switch (field(tag)) {
                case 1 -> key = in.string(tag, type + ".key");
                case 2 -> value = in.string(tag, type + ".value");
                default -> in.skip(tag);
            }
        }
        if (key == null || value == null) {
            throw new DecodeException("required field " + type + (key == null ? ".key" : ".value") + " is missing");
        }
        return new Pair(key, value);
    }

    /**
     * Encodes a {@code cls.LogGroupList}, for tests that build a request by hand. Empty optional strings are left
     * out, as protobuf-java leaves out unset fields.
     *
     * @param groups the log groups
     * @return the message bytes
     */
    static byte[] encodeLogGroupList(List<LogGroup> groups) {
        Writer out = new Writer();
        for (LogGroup group : groups) {
            out.message(1, encodeLogGroup(group));
        }
        return out.toByteArray();
    }

    private static Writer encodeLogGroup(LogGroup group) {
        Writer out = new Writer();
        for (Log log : group.logs()) {
            Writer l = new Writer();
            l.varint(1, log.time());
            for (Pair content : log.contents()) {
                l.message(2, encodePair(content));
            }
            out.message(1, l);
        }
        out.optionalString(2, group.contextFlow());
        out.optionalString(3, group.filename());
        out.optionalString(4, group.source());
        for (Pair tag : group.logTags()) {
            out.message(5, encodePair(tag));
        }
        return out;
    }

    private static Writer encodePair(Pair pair) {
        Writer out = new Writer();
        out.string(1, pair.key());
        out.string(2, pair.value());
        return out;
    }

    private static int field(int tag) {
        return tag >>> 3;
    }

    /** Reads one message's bytes; a nested message gets a reader over its slice. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private final int limit;

        Reader(byte[] data, int offset, int limit) {
            this.data = data;
            this.pos = offset;
            this.limit = limit;
        }

        boolean hasMore() {
            return pos < limit;
        }

        int tag() throws DecodeException {
            long tag = rawVarint();
            int wireType = (int) (tag & 7);
            if (tag >>> 3 == 0 || tag >>> 3 > 0x1FFFFFFF) {
                throw new DecodeException("invalid field number " + (tag >>> 3) + " at byte " + pos);
            }
            if (wireType == 3 || wireType == 4 || wireType > FIXED32) {
                throw new DecodeException("unsupported wire type " + wireType + " at byte " + pos);
            }
            return (int) tag;
        }

        long varint(int tag, String name) throws DecodeException {
            expect(tag, VARINT, name);
            return rawVarint();
        }

        Reader message(int tag, String name) throws DecodeException {
            expect(tag, LENGTH_DELIMITED, name);
            int length = length(name);
            Reader nested = new Reader(data, pos, pos + length);
            pos += length;
            return nested;
        }

        String string(int tag, String name) throws DecodeException {
            expect(tag, LENGTH_DELIMITED, name);
            int length = length(name);
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, pos, length))
                        .toString();
                pos += length;
                return s;
            } catch (CharacterCodingException e) {
                throw new DecodeException(name + " is not valid UTF-8");
            }
        }

        void skip(int tag) throws DecodeException {
            switch (tag & 7) {
                case VARINT -> rawVarint();
                case FIXED64 -> advance(8, "a fixed64 field");
                case LENGTH_DELIMITED -> advance(length("a length-delimited field"), "a length-delimited field");
                case FIXED32 -> advance(4, "a fixed32 field");
                default -> throw new DecodeException("unsupported wire type " + (tag & 7));
            }
        }

        private void expect(int tag, int wireType, String name) throws DecodeException {
            if ((tag & 7) != wireType) {
                throw new DecodeException(name + " has wire type " + (tag & 7) + ", expected " + wireType);
            }
        }

        private int length(String name) throws DecodeException {
            long length = rawVarint();
            if (length < 0 || length > limit - pos) {
                throw new DecodeException(name + " has length " + length + " but only " + (limit - pos)
                        + " bytes remain");
            }
            return (int) length;
        }

        private void advance(int n, String what) throws DecodeException {
            if (n > limit - pos) {
                throw new DecodeException(what + " is truncated at byte " + pos);
            }
            pos += n;
        }

        private long rawVarint() throws DecodeException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= limit) {
                    throw new DecodeException("truncated varint at byte " + pos);
                }
                byte b = data[pos++];
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new DecodeException("varint longer than 10 bytes at byte " + pos);
        }
    }

    /** Writes one message; a nested message is written to its own writer first, so its length is known. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varint(int field, long value) {
            rawVarint((long) field << 3 | VARINT);
            rawVarint(value);
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void optionalString(int field, String value) {
            if (!value.isEmpty()) {
                string(field, value);
            }
        }

        void message(int field, Writer nested) {
            bytes(field, nested.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void bytes(int field, byte[] value) {
            rawVarint((long) field << 3 | LENGTH_DELIMITED);
            rawVarint(value.length);
            out.writeBytes(value);
        }

        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
