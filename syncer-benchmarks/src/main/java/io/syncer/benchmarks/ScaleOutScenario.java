package io.syncer.benchmarks;

import io.syncer.test.ChildJvm;
import io.syncer.test.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * P10 (issue 14, target 6): scale-out on Kafka's own group protocols. One, two and three instances of the same
 * pipeline ({@link ScaleOutMember}, each a child JVM) in one group over 12 partitions, I/O-bound work (2 ms per record
 * at concurrency 16 per instance, so an instance is bound by its concurrency, not by the two cores), with
 * {@code group.protocol=classic} and {@code consumer}. Throughput from the first record any instance processed to
 * the last (records produced once every instance holds partitions); the time from an instance's start to its first
 * partitions; and, with two instances, the time from one's
 * graceful leave until the other holds all 12 partitions.
 */
final class ScaleOutScenario {
    private static final int PARTITIONS = 12;
    private static final int CONCURRENCY = 16;

    private final BenchmarkSuite suite;

    ScaleOutScenario(BenchmarkSuite suite) {
        this.suite = suite;
    }

    void run() throws Exception {
        int records = suite.quick ? 12_000 : 120_000;
        int reps = suite.quick ? 1 : 3;
        int[] instanceCounts = suite.quick ? new int[] {1, 2} : new int[] {1, 2, 3};
        System.out.printf("P10: %d records, %d partitions, concurrency %d per instance, %d repetition(s)%n", records,
                PARTITIONS, CONCURRENCY, reps);
        // quick (CI) proves the scenario runs: the consumer protocol's half only in the full suite
        for (String protocol : suite.quick ? new String[] {"classic"} : new String[] {"classic", "consumer"}) {
            double single = 0;
            for (int instances : instanceCounts) {
                List<Double> rates = new ArrayList<>();
                List<Double> joins = new ArrayList<>();
                for (int rep = 0; rep < reps; rep++) {
                    double[] r = throughput(records, instances, protocol);
                    rates.add(r[0]);
                    joins.add(r[1]);
                    System.out.printf("  %s, %d instance(s), rep %d: %.0f rec/s, partitions %.2f s after start%n",
                            protocol, instances, rep + 1, r[0], r[1]);
                }
                double rate = Measurement.median(rates);
                if (instances == 1) {
                    single = rate;
                }
                suite.addRow(String.format("| P10 scale-out, group.protocol=%s, %d partitions | %d instance(s) (child JVMs),"
                                + " partitions %.2f s after start | %d | %.0f | - | - | **%.2f** | - |", protocol, PARTITIONS,
                        instances, Measurement.median(joins), records, rate, rate / single));
            }
            List<Double> takeovers = new ArrayList<>();
            for (int rep = 0; rep < reps; rep++) {
                takeovers.add(takeover(protocol));
            }
            suite.addRow(String.format("| P10 graceful leave, group.protocol=%s | 2 instances, one closes: until the other holds"
                    + " all %d partitions | - | %.2f s | - | - | - | - |", protocol, PARTITIONS, Measurement.median(takeovers)));
        }
    }

    /**
     * Records per second from the first record processed to the last, and the median time from an instance's start
     * to its first partitions. The records are produced to a new topic once every instance holds partitions, so
     * each instance's share of the work starts together.
     */
    private double[] throughput(int records, int instances, String protocol) throws Exception {
        String topic = KafkaBroker.uniqueName("p10");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        String group = KafkaBroker.uniqueName("p10");
        List<Member> members = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                members.add(new Member(topic, group, protocol));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            awaitShared(members, deadline);
            suite.produce(topic, records, 10_000);
            long end;
            while (true) {
                long sum = 0;
                for (Member m : members) {
                    sum += m.latest()[1];
                }
                if (sum >= records) {
                    end = 0;
                    for (Member m : members) {
                        end = Math.max(end, m.latest()[0]);
                    }
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("P10: " + sum + " of " + records + " records in 300 s; see " + members.get(0).dir);
                }
                Thread.sleep(50);
            }
            long first = members.stream().mapToLong(Member::first).min().orElseThrow();
            List<Double> joins = new ArrayList<>();
            for (Member m : members) {
                joins.add((m.assignedSince(0, 1) - m.startedAt) / 1000.0);
            }
            // a report comes every 50 ms: the end is the first report that shows every record done
            return new double[] {records / ((end - first) / 1000.0), Measurement.median(joins)};
        } finally {
            for (Member m : members) {
                m.stop();
            }
        }
    }

    /** Waits until every member holds partitions and together they hold all of them. */
    private static void awaitShared(List<Member> members, long deadline) throws Exception {
        while (true) {
            long total = 0;
            boolean each = true;
            for (Member m : members) {
                long n = m.latest()[2];
                each &= n > 0;
                total += n;
            }
            if (each && total == PARTITIONS) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("P10: the members did not share the partitions in time; see " + members.get(0).dir);
            }
            Thread.sleep(50);
        }
    }

    /** Two members; once they share the partitions, the first closes; seconds until the second holds every one. */
    private double takeover(String protocol) throws Exception {
        String topic = KafkaBroker.uniqueName("p10-leave");
        KafkaBroker.createTopic(suite.admin, topic, PARTITIONS);
        String group = KafkaBroker.uniqueName("p10-leave");
        Member a = new Member(topic, group, protocol);
        Member b = new Member(topic, group, protocol);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            awaitShared(List.of(a, b), deadline);
            long left = a.stop();
            while (b.latest()[0] < left || b.latest()[2] < PARTITIONS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("P10: no takeover in 120 s; see " + b.dir);
                }
                Thread.sleep(20);
            }
            return (b.assignedSince(left, PARTITIONS) - left) / 1000.0;
        } finally {
            a.stop();
            b.stop();
        }
    }

    /** One child JVM running {@link ScaleOutMember}, read through its output file. */
    private final class Member {
        final Path dir;
        final Process process;
        final long startedAt;
        private boolean stopped;
        private long leftAt;

        Member(String topic, String group, String protocol) throws Exception {
            dir = Files.createTempDirectory("syncer-p10");
            startedAt = System.currentTimeMillis();
            process = ChildJvm.start(ScaleOutMember.class, dir, suite.bootstrap, topic, group, protocol,
                    Integer.toString(CONCURRENCY), dir.resolve("stop").toString());
        }

        private List<String> lines() throws Exception {
            Path out = dir.resolve("child.out");
            return Files.exists(out) ? Files.readAllLines(out) : List.of();
        }

        /** The last {@code AT} report: epoch ms, records done, partitions assigned (zeros before the first). */
        long[] latest() throws Exception {
            List<String> lines = lines();
            for (int i = lines.size() - 1; i >= 0; i--) {
                String[] f = lines.get(i).split(" ");
                if (f[0].equals("AT") && f.length == 4) {
                    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("P10 member exited with " + process.exitValue() + "; see " + dir);
            }
            return new long[3];
        }

        long first() {
            try {
                return lines().stream().filter(l -> l.startsWith("FIRST ")).mapToLong(l -> Long.parseLong(l.substring(6)))
                        .findFirst().orElseThrow(() -> new IllegalStateException("P10 member without a record; see " + dir));
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The first report at or after {@code since} (epoch ms) that shows at least {@code partitions} assigned. */
        long assignedSince(long since, int partitions) throws Exception {
            for (String l : lines()) {
                String[] f = l.split(" ");
                if (f[0].equals("AT") && f.length == 4 && Long.parseLong(f[1]) >= since && Long.parseLong(f[3]) >= partitions) {
                    return Long.parseLong(f[1]);
                }
            }
            throw new IllegalStateException("P10: never held " + partitions + " partition(s); see " + dir);
        }

        /** Asks the member to close gracefully and waits for it; the epoch ms at which it began to leave. */
        long stop() throws Exception {
            if (!stopped) {
                stopped = true;
                Files.writeString(dir.resolve("stop"), "");
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                leftAt = lines().stream().filter(l -> l.startsWith("LEFT ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                        .findFirst().orElse(System.currentTimeMillis());
            }
            return leftAt;
        }
    }
}
