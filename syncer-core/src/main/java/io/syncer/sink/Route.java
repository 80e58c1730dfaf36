package io.syncer.sink;

import java.util.Objects;

/**
 * One destination of a record: a sink (by {@link Sink#name()}) and where inside it.
 *
 * @param sink the sink's name
 * @param destination the topic, index, table or log topic inside the sink; {@code null} for the
 *     sink's default
 */
public record Route(String sink, String destination) {
    /**
     * Validates the sink name.
     *
     * @param sink the sink's name
     * @param destination where inside it, or {@code null}
     */
    public Route {
        Objects.requireNonNull(sink, "sink");
    }

    /**
     * A route to a sink's default destination.
     *
     * @param sink the sink's name
     * @return the route
     */
    public static Route to(String sink) {
        return new Route(sink, null);
    }

    /**
     * A route to a destination inside a sink.
     *
     * @param sink the sink's name
     * @param destination where inside it
     * @return the route
     */
    public static Route to(String sink, String destination) {
        return new Route(sink, destination);
    }
}
