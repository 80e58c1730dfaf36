package io.syncer.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.SendResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A realistic access-log stream for the demo, and what each sink must hold after it: tenants with
 * Zipf-skewed volumes (the largest sends about a fifth of all traffic), bot traffic, requests
 * spread over the last 24 hours (so OpenSearch gets two daily indices per tenant), and a
 * few bad records: malformed JSON, a wrong type, no tenant, an unknown tenant.
 */
final class AccessLogStream {
    /** The known tenants, the largest first. */
    static final List<String> TENANTS = tenants(24);
    /** One record in this many is from a tenant that is not configured. */
    static final int UNKNOWN_EVERY = 400;
    /** One record in this many is malformed. */
    static final int MALFORMED_EVERY = 1_000;
    /** OpenSearch's daily index suffix. */
    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);
    private static final double ZIPF_EXPONENT = 1.0;
    private static final String[] PATHS = {"/", "/api/items", "/api/items/42", "/api/cart", "/login", "/search",
        "/static/app.js", "/static/site.css", "/img/logo.png", "/api/checkout"};
    private static final String[] BOT_AGENTS = {"Googlebot/2.1", "bingbot/2.0", "GPTBot/1.0", "AhrefsBot/7.0"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private AccessLogStream() {
    }

    private static List<String> tenants(int n) {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.add(String.format("app%02d", i));
        }
        return List.copyOf(t);
    }

    /**
     * What the sinks must hold, by tenant (and by tenant and day for OpenSearch).
     *
     * @param produced records written to the source topic
     * @param byTenant good records per known tenant: CLS, the AI topic, OpenSearch and ClickHouse each get them all
     * @param botsByTenant bot records per known tenant: the bot topic's share
     * @param byIndexSuffix good records per {@code <tenant>-<yyyy.MM.dd>}
     * @param deadLetters records that must go to the dead-letter topic (malformed, no tenant, unknown tenant)
     */
    record Expected(long produced, Map<String, Long> byTenant, Map<String, Long> botsByTenant,
                    Map<String, Long> byIndexSuffix, long deadLetters) {
        long good() {
            return byTenant.values().stream().mapToLong(Long::longValue).sum();
        }

        long bots() {
            return botsByTenant.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Writes {@code records} access logs to {@code topic}, keyed by tenant, and returns what the sinks must hold.
     *
     * @param producers the producer
     * @param topic the source topic
     * @param records how many
     * @param seed the random seed (a run is reproducible)
     * @param progress told the number of records acknowledged so far after each batch
     * @return the expected counts
     */
    static Expected produce(KafkaProducers producers, String topic, int records, long seed,
                            java.util.function.LongConsumer progress) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        double[] cumulative = zipf(TENANTS.size());
        long now = System.currentTimeMillis();
        Map<String, Long> byTenant = new TreeMap<>();
        Map<String, Long> bots = new TreeMap<>();
        Map<String, Long> byIndex = new TreeMap<>();
        long dead = 0;
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            String tenant = TENANTS.get(pick(cumulative, random.nextDouble()));
            AccessLog log = new AccessLog();
            log.id = "r" + i;
            log.ts = now - random.nextLong(TimeUnit.HOURS.toMillis(24));
            log.bot = random.nextInt(100) < 12;
            log.appid = i % UNKNOWN_EVERY == UNKNOWN_EVERY / 2 ? "app-unknown-" + random.nextInt(5) : tenant;
            log.ip = "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
            log.method = random.nextInt(10) < 8 ? "GET" : "POST";
            log.path = PATHS[random.nextInt(PATHS.length)];
            int roll = random.nextInt(1000);
            log.status = roll < 930 ? 200 : roll < 970 ? 404 : roll < 990 ? 301 : 500;
            log.bytes = 200 + random.nextInt(40_000);
            log.latencyMs = 1 + (int) Math.min(5_000, -Math.log(1 - random.nextDouble()) * 40);
            log.ua = log.bot ? BOT_AGENTS[random.nextInt(BOT_AGENTS.length)] : "Mozilla/5.0 (X11; Linux x86_64)";
            byte[] value;
            if (i % MALFORMED_EVERY == MALFORMED_EVERY - 1) {
                value = malformed(log, i / MALFORMED_EVERY % 4);
                dead++;
            } else {
                value = JSON.writeValueAsBytes(log);
                if (TENANTS.contains(log.appid)) {
                    byTenant.merge(log.appid, 1L, Long::sum);
                    byIndex.merge(log.appid + "-" + DAY.format(Instant.ofEpochMilli(log.ts)), 1L, Long::sum);
                    if (log.bot) {
                        bots.merge(log.appid, 1L, Long::sum);
                    }
                } else {
                    dead++;
                }
            }
            byte[] key = (log.appid == null ? tenant : log.appid).getBytes(StandardCharsets.UTF_8);
            batch.add(new ProducerRecord<>(topic, null, log.ts, key, value));
            if (batch.size() == 2_000 || i == records - 1) {
                for (SendResult r : producers.sendAll(batch)) {
                    if (!r.succeeded()) {
                        throw new IllegalStateException("the demo's producer failed", r.error());
                    }
                }
                batch.clear();
                progress.accept(i + 1);
            }
        }
        return new Expected(records, byTenant, bots, byIndex, dead);
    }

    /** Four kinds of bad input an edge really sends. */
    private static byte[] malformed(AccessLog log, int kind) throws Exception {
        String json = JSON.writeValueAsString(log);
        String bad = switch (kind) {
            case 0 -> json.substring(0, json.length() / 2);                                // cut off mid-line
            case 1 -> json.replace("\"status\":" + log.status, "\"status\":\"teapot\""); // wrong type
            case 2 -> json.replace("\"appid\":\"" + log.appid + "\"", "\"appid\":null");  // no tenant
            default -> "GET " + log.path + " HTTP/1.1 " + log.status;                      // not JSON at all
        };
        return bad.getBytes(StandardCharsets.UTF_8);
    }

    private static double[] zipf(int n) {
        double[] c = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1 / Math.pow(k + 1, ZIPF_EXPONENT);
            c[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            c[k] /= sum;
        }
        return c;
    }

    private static int pick(double[] cumulative, double u) {
        for (int k = 0; k < cumulative.length; k++) {
            if (u < cumulative[k]) {
                return k;
            }
        }
        return cumulative.length - 1;
    }
}
