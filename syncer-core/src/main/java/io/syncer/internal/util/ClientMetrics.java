package io.syncer.internal.util;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** What a Kafka client's own metrics say about its connections, for errors that name the real cause. */
public final class ClientMetrics {
    private ClientMetrics() {
    }

    /**
     * Open broker connections of a client.
     *
     * @param metrics the client's {@code metrics()}
     * @return the sum of its {@code connection-count} metrics, or -1 when it has none or they cannot be read
     */
    public static long brokerConnections(Map<MetricName, ? extends Metric> metrics) {
        try {
            double n = 0;
            boolean found = false;
            for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
                if (e.getKey().name().equals("connection-count") && e.getValue().metricValue() instanceof Number) {
                    n += ((Number) e.getValue().metricValue()).doubleValue();
                    found = true;
                }
            }
            return found ? (long) n : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
