package io.syncer.test;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/** Backs {@link KafkaBroker#uniqueName(String)}: a JVM-wide counter plus a random suffix. Thread-safe. */
final class UniqueNames {

    /** Characters Kafka accepts in topic names; 200 leaves room for the suffix within Kafka's 249. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final AtomicLong COUNTER = new AtomicLong();

    private UniqueNames() {
    }

    static String next(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must be 1 to 200 characters of [A-Za-z0-9._-], was '"
                    + prefix + "'");
        }
        return String.format("%s-%d-%06x", prefix, COUNTER.incrementAndGet(),
                ThreadLocalRandom.current().nextInt(1 << 24));
    }
}
