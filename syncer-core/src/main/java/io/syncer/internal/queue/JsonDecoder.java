package io.syncer.internal.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.syncer.RecordDecodeException;
import io.syncer.queue.RecordDecoder;
import java.io.IOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Jackson JSON decoding; one shared mapper, a reader per type (both thread-safe). */
public final class JsonDecoder<T> implements RecordDecoder<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ObjectReader reader;
    private final Class<T> type;

    private JsonDecoder(Class<T> type) {
        this.type = type;
        this.reader = MAPPER.readerFor(type);
    }

    /** A decoder for {@code type}. */
    public static <T> JsonDecoder<T> of(Class<T> type) {
        return new JsonDecoder<>(type);
    }

    @Override
    public T decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new RecordDecodeException("null value (tombstone) where JSON " + type.getSimpleName() + " was expected", null);
        }
        try {
            T value = reader.readValue(record.value());
            if (value == null) {
                throw new RecordDecodeException("JSON null where " + type.getSimpleName() + " was expected", null);
            }
            return value;
        } catch (JsonProcessingException e) {
            // the original message leaves out the location, and Jackson 2.16+ never quotes the input there
            throw new RecordDecodeException("not a JSON " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RecordDecodeException("not a JSON " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
