package io.syncer.reliability;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.sink.cls.ClsCredentials;
import io.syncer.test.ChildProcessKafkaBroker;
import io.syncer.test.ClickHouseServer;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.KafkaBroker;
import io.syncer.test.TopicReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Scenario 7: security. A child-process broker with a SASL_SSL listener (a CA made by the test with keytool;
 * SCRAM-SHA-512 and PLAIN) carries a whole pipeline per mechanism: the consumer, the producers, the dead-letter
 * writer and the Kafka sink all connect with the settings passed through, and every record arrives (read back over
 * SASL_SSL). A wrong password fails fast with a clear error, not a hang: the pipeline's poll thread and a producer
 * send. A pipeline with wrong CLS and ClickHouse credentials and an OpenSearch password holds those sinks (outages,
 * no dead letters). Then every secret of the run (SASL passwords, key and trust store passwords, the CLS key, the
 * ClickHouse and OpenSearch passwords) is searched for in every captured log (each pipeline's output at INFO, Kafka's
 * client configuration dumps included, and the broker's log), in syncer's {@code toString()}s and in the exception
 * messages seen; one hit fails the scenario.
 */
final class SecurityScenario {
    private static final Duration FAIL_FAST = Duration.ofSeconds(30);
    private static final List<String> INFO_LOGS = List.of("-Dreliability.log.level=INFO", "-Dreliability.kafka.log.level=INFO");

    private SecurityScenario() {
    }

    static Result run(Env env, int records) throws Exception {
        // a fresh directory: keytool will not overwrite an earlier run's stores
        Path dir = Files.createTempDirectory(Files.createDirectories(env.work), "security-stores-");
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String s : List.of("scram", "plain", "keystore", "truststore", "ca", "wrong-scram", "cls-key", "clickhouse",
                "opensearch")) {
            secrets.put(s, s + "-" + randomHex());
        }
        SelfSignedCa ca = SelfSignedCa.create(dir, secrets.get("ca"), secrets.get("keystore"), secrets.get("truststore"));
        Map<String, String> brokerConfig = new LinkedHashMap<>();
        brokerConfig.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        brokerConfig.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"" + secrets.get("plain") + "\";");
        brokerConfig.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        brokerConfig.put("listener.name.sasl_ssl.ssl.keystore.location", ca.brokerKeyStore().toString());
        brokerConfig.put("listener.name.sasl_ssl.ssl.keystore.password", secrets.get("keystore"));
        brokerConfig.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
        List<String> notes = new ArrayList<>();
        List<String> seen = new ArrayList<>(); // exception messages and toString()s, searched at the end
        long produced = 0;
        long delivered = 0;
        long lost = 0;
        long peakHeap = 0;
        List<Path> logs = new ArrayList<>();
        try (ChildProcessKafkaBroker broker = ChildProcessKafkaBroker.start(brokerConfig, "SASL_SSL")) {
            String secure = broker.secureBootstrapServers();
            // the SCRAM user, created over the plaintext listener (no authorizer: any client may)
            broker.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), secrets.get("scram")))).all().get();
            awaitScramUser(broker);

            // 1. a whole pipeline per mechanism, every Kafka client over SASL_SSL
            for (String mechanism : List.of("SCRAM-SHA-512", "PLAIN")) {
                Map<String, Object> client = client(ca, secrets, mechanism, mechanism.equals("PLAIN") ? "alice" : "bob",
                        secrets.get(mechanism.equals("PLAIN") ? "plain" : "scram"));
                String tag = mechanism.toLowerCase().replace("-", "");
                String source = KafkaBroker.uniqueName("sec-src");
                String target = KafkaBroker.uniqueName("sec-out");
                String dlt = KafkaBroker.uniqueName("sec-dlt");
                broker.createTopic(source, 3);
                broker.createTopic(target, 3);
                broker.createTopic(dlt, 1);
                Path config = write(dir.resolve(tag + ".properties"), client);
                Child child = Child.start(env.work, "security-" + tag, INFO_LOGS, List.of("sink=kafka", "bootstrap=" + secure,
                        "source=" + source, "group=" + KafkaBroker.uniqueName("sec-g"), "target=" + target, "dlt=" + dlt,
                        "config=" + config));
                logs.add(env.work.resolve("security-" + tag).resolve("child.out"));
                int bad = records / 1_000;
                KafkaProducersConfig.Builder producerConfig = KafkaProducersConfig.builder().bootstrapServers(secure);
                client.forEach(producerConfig::kafkaProperty);
                KafkaProducersConfig producing = producerConfig.build();
                seen.add(producing.toString());
                try (KafkaProducers producers = KafkaProducers.create(producing)) {
                    Numbered.produce(producers, source, 0, records);
                    List<ProducerRecord<byte[], byte[]>> notJson = new ArrayList<>();
                    for (int i = 0; i < bad; i++) {
                        notJson.add(new ProducerRecord<>(source, ("not json " + i).getBytes(StandardCharsets.UTF_8)));
                    }
                    for (SendResult r : producers.sendAll(notJson)) {
                        if (!r.succeeded()) {
                            throw new IllegalStateException("producing over SASL_SSL failed", r.error());
                        }
                    }
                }
                Map<String, Object> reader = new LinkedHashMap<>(client);
                reader.put("bootstrap.servers", secure);
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (Env.logEnd(broker, target) < records || Env.logEnd(broker, dlt) < bad) {
                    if (System.nanoTime() > deadline || !child.isAlive()) {
                        throw new IllegalStateException(mechanism + ": the pipeline over SASL_SSL delivered "
                                + Env.logEnd(broker, target) + " of " + records + "; see " + logs.get(logs.size() - 1));
                    }
                    Thread.sleep(200);
                }
                child.stop();
                peakHeap = Math.max(peakHeap, child.peakHeapMb());
                Numbered.Held held = Numbered.read(reader, target);
                long deadLetters = TopicReader.readToEnd(reader, dlt, Duration.ofMinutes(1), r -> { });
                produced += records + bad;
                delivered += held.distinct() + deadLetters;
                lost += held.lost(records) + Math.max(0, bad - deadLetters);
                notes.add(String.format("%s: %d records and %d dead letters over SASL_SSL", mechanism, held.distinct(),
                        deadLetters));
            }

            // 2. a wrong password fails fast and says why: the pipeline (its poll thread) and a producer
            Map<String, Object> wrong = client(ca, secrets, "SCRAM-SHA-512", "bob", secrets.get("wrong-scram"));
            Path wrongConfig = write(dir.resolve("wrong.properties"), wrong);
            String source = KafkaBroker.uniqueName("sec-src");
            broker.createTopic(source, 1);
            long t0 = System.nanoTime();
            Child refused = Child.start(env.work, "security-wrong-password", INFO_LOGS, List.of("sink=kafka",
                    "bootstrap=" + secure, "source=" + source, "group=" + KafkaBroker.uniqueName("sec-g"),
                    "target=" + source + "-out", "config=" + wrongConfig));
            logs.add(env.work.resolve("security-wrong-password").resolve("child.out"));
            String failure = null;
            while (failure == null && System.nanoTime() - t0 < FAIL_FAST.toNanos()) {
                failure = refused.output().lines().filter(l -> l.contains("poll thread failed")).findFirst().orElse(null);
                Thread.sleep(100);
            }
            double pipelineFailSeconds = (System.nanoTime() - t0) / 1e9;
            String why = refused.output().lines().filter(l -> l.contains("SaslAuthenticationException")).findFirst().orElse("");
            refused.kill();
            if (failure == null || !why.contains("Authentication failed")) {
                throw new IllegalStateException("a wrong SASL password did not fail the pipeline with a clear error within "
                        + FAIL_FAST.toSeconds() + " s; see " + logs.get(logs.size() - 1));
            }
            KafkaProducersConfig.Builder wrongProducer = KafkaProducersConfig.builder().bootstrapServers(secure);
            wrong.forEach(wrongProducer::kafkaProperty);
            long t1 = System.nanoTime();
            SendResult refusedSend;
            try (KafkaProducers producers = KafkaProducers.create(wrongProducer.build())) {
                refusedSend = producers.sendAll(List.of(Numbered.record(source, 0))).get(0);
            }
            double producerFailSeconds = (System.nanoTime() - t1) / 1e9;
            if (refusedSend.succeeded() || producerFailSeconds > FAIL_FAST.toSeconds()) {
                throw new IllegalStateException("a wrong SASL password did not fail the send fast: " + refusedSend);
            }
            seen.add(String.valueOf(refusedSend.error()));
            notes.add(String.format("wrong password: pipeline failed in %.1fs (\"%s\"), a send in %.1fs (\"%s\")",
                    pipelineFailSeconds, why.substring(why.indexOf("SaslAuthenticationException")).strip(),
                    producerFailSeconds, refusedSend.error().getMessage()));

            // 3. sinks with secrets: wrong CLS key and ClickHouse password are outages, not dead letters
            notes.add(sinksWithSecrets(env, broker, ca, secrets, dir, logs, seen));
            logs.add(broker.logFile());
            // 4. every captured log, toString() and exception message, searched for every secret
            seen.add(ConsumerGroupConfig.builder().groupId("g").topics("t").bootstrapServers(secure)
                    .kafkaProperties(client(ca, secrets, "SCRAM-SHA-512", "bob", secrets.get("scram"))).build().toString());
            seen.add(ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, secrets.get("cls-key")).toString());
            seen.add(ClickHouseServer.external("http://127.0.0.1:1", "default", secrets.get("clickhouse")).toString());
            try {
                ConsumerGroupConfig.builder().groupId("g").topics("t").bootstrapServers(secure)
                        .kafkaProperties(client(ca, secrets, "SCRAM-SHA-512", "bob", secrets.get("scram")))
                        .kafkaProperty("enable.auto.commit", "true").build();
                throw new IllegalStateException("enable.auto.commit=true was accepted");
            } catch (IllegalArgumentException expected) {
                seen.add(expected.getMessage());
            }
            // the search itself, checked on a file that does hold the secrets: the pipelines' settings
            try {
                searchForSecrets(secrets, List.of(dir.resolve("sinks.properties")), List.of());
                throw new IllegalStateException("the secret search found nothing in a file that holds secrets");
            } catch (SecretLeak expected) {
                // as it should
            }
            notes.add(searchForSecrets(secrets, logs, seen));
        }
        return new Result("security", produced, delivered, lost, 0, 0, peakHeap, String.join("; ", notes));
    }

    /**
     * A pipeline over SASL_SSL into CLS with a wrong secret key, ClickHouse with a wrong password and OpenSearch with
     * basic auth (the integration-test node has no security plugin, so it does not ask for the password): the first
     * two must be reported as sink outages, with no dead letter; OpenSearch gets every record.
     */
    private static String sinksWithSecrets(Env env, ChildProcessKafkaBroker broker, SelfSignedCa ca,
            Map<String, String> secrets, Path dir, List<Path> logs, List<String> seen) throws Exception {
        String secure = broker.secureBootstrapServers();
        Map<String, Object> client = client(ca, secrets, "SCRAM-SHA-512", "bob", secrets.get("scram"));
        Path path = write(dir.resolve("sinks.properties"), client, Map.of("cls.secretId", ClsEndpoint.DEFAULT_SECRET_ID,
                "cls.secretKey", secrets.get("cls-key"), "clickhouse.password", secrets.get("clickhouse"),
                "opensearch.user", "admin", "opensearch.password", secrets.get("opensearch")));
        String source = KafkaBroker.uniqueName("sec-src");
        String dlt = KafkaBroker.uniqueName("sec-dlt");
        String index = KafkaBroker.uniqueName("sec-os").toLowerCase();
        String table = KafkaBroker.uniqueName("sec_ch").replace('-', '_');
        broker.createTopic(source, 3);
        broker.createTopic(dlt, 1);
        env.clickHouse().execute("CREATE TABLE " + table + " (seq UInt64, tenant String, _topic String,"
                + " _partition UInt32, _offset UInt64) ENGINE = MergeTree() ORDER BY (_partition, _offset)");
        Child child = Child.start(env.work, "security-sinks", INFO_LOGS, List.of("sink=cls,clickhouse,opensearch",
                "bootstrap=" + secure, "source=" + source, "group=" + KafkaBroker.uniqueName("sec-g"), "dlt=" + dlt,
                "cls.target=" + KafkaBroker.uniqueName("sec-cls"), "clickhouse.target=" + table, "opensearch.target=" + index,
                "cls.url=" + env.cls().url(), "clickhouse.url=" + env.clickHouse().httpUrl(),
                "opensearch.url=" + env.openSearch().url(), "config=" + path));
        logs.add(env.work.resolve("security-sinks").resolve("child.out"));
        int records = 1_000;
        KafkaProducersConfig.Builder producerConfig = KafkaProducersConfig.builder().bootstrapServers(secure);
        client.forEach(producerConfig::kafkaProperty);
        try (KafkaProducers producers = KafkaProducers.create(producerConfig.build())) {
            Numbered.produce(producers, source, 0, records);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Math.max(0, Http.openSearchCount(env.openSearch().url(), index)) < records && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        // a few probe rounds of the held sinks
        Thread.sleep(5_000);
        String out = child.output();
        child.stop();
        long inOpenSearch = Http.openSearchCount(env.openSearch().url(), index);
        long deadLetters = Env.logEnd(broker, dlt);
        boolean clsHeld = out.lines().anyMatch(l -> l.contains("sink cls") && l.contains("AuthFailure"));
        boolean clickHouseHeld = out.lines().anyMatch(l -> l.contains("sink clickhouse") && l.contains("cannot write"));
        if (inOpenSearch != records || deadLetters != 0 || !clsHeld || !clickHouseHeld) {
            List<String> first = new ArrayList<>();
            TopicReader.readToEnd(Map.of("bootstrap.servers", broker.bootstrapServers()), dlt,
                    Duration.ofMinutes(1), r -> {
                        if (first.isEmpty()) {
                            r.headers().forEach(h -> first.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)));
                        }
                    });
            throw new IllegalStateException(String.format("sinks with secrets: OpenSearch %d of %d, %d dead letters"
                    + " (the first: %s), CLS outage logged %b, ClickHouse outage logged %b; see %s", inOpenSearch, records,
                    deadLetters, first, clsHeld, clickHouseHeld, logs.get(logs.size() - 1)));
        }
        return String.format("wrong CLS key and ClickHouse password: both held as outages, 0 dead letters;"
                + " OpenSearch with basic auth: %d of %d", inOpenSearch, records);
    }

    /** Fails on any secret in the logs or the strings seen; says how much was searched. */
    private static String searchForSecrets(Map<String, String> secrets, List<Path> logs, List<String> seen) throws IOException {
        List<String> hits = new ArrayList<>();
        long lines = 0;
        for (Path log : logs) {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            lines += all.size();
            for (int i = 0; i < all.size(); i++) {
                for (Map.Entry<String, String> s : secrets.entrySet()) {
                    if (all.get(i).contains(s.getValue())) {
                        hits.add(log + ":" + (i + 1) + " holds the " + s.getKey() + " secret");
                    }
                }
            }
        }
        for (String text : seen) {
            for (Map.Entry<String, String> s : secrets.entrySet()) {
                if (text.contains(s.getValue())) {
                    hits.add("a toString() or exception message holds the " + s.getKey() + " secret: "
                            + text.replace(s.getValue(), "<" + s.getKey() + ">"));
                }
            }
        }
        if (!hits.isEmpty()) {
            throw new SecretLeak("secrets leaked: " + hits);
        }
        return String.format("%d secrets searched in %d logs (%d lines) and %d strings: 0 hits", secrets.size(),
                logs.size(), lines, seen.size());
    }

    /** A secret found where it must not be. */
    private static final class SecretLeak extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        SecretLeak(String message) {
            super(message);
        }
    }

    /** The client settings of a SASL_SSL connection that trusts the test's CA. */
    private static Map<String, Object> client(SelfSignedCa ca, Map<String, String> secrets, String mechanism, String user,
            String password) {
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("security.protocol", "SASL_SSL");
        c.put("sasl.mechanism", mechanism);
        c.put("sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";");
        c.put("ssl.truststore.location", ca.trustStore().toString());
        c.put("ssl.truststore.password", secrets.get("truststore"));
        c.put("ssl.truststore.type", "PKCS12");
        return c;
    }

    /** Writes client settings as {@code kafka.<setting>} properties for {@link ChildPipeline}'s {@code config}. */
    private static Path write(Path file, Map<String, Object> client) throws IOException {
        return write(file, client, Map.of());
    }

    /** Writes client settings as {@code kafka.<setting>} properties, and {@code other} as they are. */
    private static Path write(Path file, Map<String, Object> client, Map<String, String> other) throws IOException {
        Properties p = new Properties();
        client.forEach((k, v) -> p.setProperty("kafka." + k, String.valueOf(v)));
        other.forEach(p::setProperty);
        try (Writer out = Files.newBufferedWriter(file)) {
            p.store(out, null);
        }
        return file;
    }

    private static void awaitScramUser(ChildProcessKafkaBroker broker) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (broker.admin().describeUserScramCredentials(List.of("bob")).all().get().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the SCRAM user was not created within 30 s");
            }
            Thread.sleep(100);
        }
    }

    private static String randomHex() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
