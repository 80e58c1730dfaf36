package io.syncer.test;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One log a {@link ClsEndpoint} accepted, decoded from a {@code cls.Log} and its {@code cls.LogGroup}.
 *
 * @param topicId the topic it was sent to ({@code topic_id})
 * @param time {@code Log.time} as sent: Unix seconds or milliseconds (the SDK's {@code LogItem(long)} sends what it is
 *     given; its no-argument constructor sends seconds)
 * @param contents the key/value pairs in the order sent, unmodifiable; if a key repeats, the last value wins
 * @param contextFlow the group's {@code contextFlow}, {@code ""} if absent; the SDK sends the same value on every
 *     retry of a batch, so equal values mark duplicates
 * @param source the group's {@code source}, {@code ""} if absent; the SDK sends its {@code sourceIp}
 */
public record ClsLog(String topicId, long time, Map<String, String> contents, String contextFlow, String source) {
    /**
     * Checks and copies the components.
     *
     * @param topicId the topic
     * @param time the log time
     * @param contents the contents, copied
     * @param contextFlow the context flow
     * @param source the source
     * @throws NullPointerException if an argument is {@code null}
     */
    public ClsLog {
        Objects.requireNonNull(topicId, "topicId");
        contents = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(contents, "contents")));
        Objects.requireNonNull(contextFlow, "contextFlow");
        Objects.requireNonNull(source, "source");
    }

    /**
     * One content value.
     *
     * @param key the content key
     * @return its value, or {@code null} if the log has no such key
     */
    public String get(String key) {
        return contents.get(key);
    }
}
