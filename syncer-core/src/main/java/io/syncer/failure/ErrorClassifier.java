package io.syncer.failure;

import io.syncer.RecordDecodeException;
import io.syncer.SyncerException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Decides whether a failure is worth retrying. The thrown exception and then each of its causes
 * is checked in turn; the first one that matches a rule decides:
 * <ol>
 *   <li>types registered with {@link Builder#fatal} (never retried) or {@link Builder#retriable};</li>
 *   <li>{@link SyncerException#isRetriable()} for syncer's own exceptions (so
 *       {@link RecordDecodeException} is fatal, {@link io.syncer.RetriableSyncerException} retriable);</li>
 *   <li>Kafka's own errors: {@link RetriableException} is retriable, any other broker error
 *       ({@link ApiException}, e.g. record too large or not authorized) is fatal;</li>
 *   <li>{@link #DEFAULT_FATAL_TYPES}: programming errors that recur on every attempt.</li>
 * </ol>
 * Anything else is retriable, as in spring-kafka: a failure is presumed transient unless known
 * otherwise, and the retry policy bounds the cost of being wrong.
 *
 * <p>Immutable and thread-safe.
 */
public final class ErrorClassifier {
    /** Failures no retry can fix: wrong types and unsupported operations in user code. */
    public static final Set<Class<? extends Throwable>> DEFAULT_FATAL_TYPES = Set.of(
            ClassCastException.class, UnsupportedOperationException.class, NoSuchMethodException.class,
            NoSuchFieldException.class);

    private static final ErrorClassifier DEFAULTS = builder().build();

    private final List<Class<? extends Throwable>> fatal;
    private final List<Class<? extends Throwable>> retriable;

    private ErrorClassifier(Builder b) {
        this.fatal = Collections.unmodifiableList(new ArrayList<>(b.fatal));
        this.retriable = Collections.unmodifiableList(new ArrayList<>(b.retriable));
    }

    /**
     * The default rules only.
     *
     * @return the classifier
     */
    public static ErrorClassifier defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the default rules.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether {@code error} may succeed if retried.
     *
     * @param error the failure
     * @return {@code true} if retriable
     */
    public boolean isRetriable(Throwable error) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            Boolean decision = decide(t);
            if (decision != null) {
                return decision;
            }
        }
        return true;
    }

    private Boolean decide(Throwable t) {
        for (Class<? extends Throwable> c : fatal) {
            if (c.isInstance(t)) {
                return false;
            }
        }
        for (Class<? extends Throwable> c : retriable) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        if (t instanceof SyncerException) {
            return ((SyncerException) t).isRetriable();
        }
        if (t instanceof RetriableException) {
            return true;
        }
        if (t instanceof ApiException) {
            return false;
        }
        for (Class<? extends Throwable> c : DEFAULT_FATAL_TYPES) {
            if (c.isInstance(t)) {
                return false;
            }
        }
        return null;
    }

    /** Builder adding rules to the defaults; not thread-safe. */
    public static final class Builder {
        private final List<Class<? extends Throwable>> fatal = new ArrayList<>();
        private final List<Class<? extends Throwable>> retriable = new ArrayList<>();

        private Builder() {
        }

        /**
         * Never retry these types (or their subtypes); checked before every other rule.
         *
         * @param types exception types
         * @return this builder
         */
        @SafeVarargs
        public final Builder fatal(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> t : types) {
                fatal.add(Objects.requireNonNull(t));
            }
            return this;
        }

        /**
         * Always retry these types (or their subtypes), unless also marked fatal.
         *
         * @param types exception types
         * @return this builder
         */
        @SafeVarargs
        public final Builder retriable(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> t : types) {
                retriable.add(Objects.requireNonNull(t));
            }
            return this;
        }

        /**
         * Builds the classifier.
         *
         * @return the classifier
         */
        public ErrorClassifier build() {
            return new ErrorClassifier(this);
        }
    }
}
