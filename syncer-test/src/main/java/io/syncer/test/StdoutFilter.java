package io.syncer.test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs a task while lines printed to {@code System.out} that a predicate picks go to a line handler (the test
 * kit's log) instead; every other line, from any thread, still reaches the real {@code System.out}, whole. Kafka's
 * storage formatter prints a 900-character "Bootstrap metadata" line and "Formatting metadata directory" to stdout
 * from its own executor threads; an application that starts the embedded broker should not see them.
 */
final class StdoutFilter {
    private StdoutFilter() {
    }

    static <T> T run(Predicate<String> divert, Consumer<String> diverted, Callable<T> task) throws Exception {
        PrintStream original = System.out;
        Map<Thread, ByteArrayOutputStream> partial = new ConcurrentHashMap<>();
        PrintStream filter = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                ByteArrayOutputStream line = partial.computeIfAbsent(Thread.currentThread(), t -> new ByteArrayOutputStream());
                line.write(b);
                if (b == '\n') {
                    partial.remove(Thread.currentThread());
                    String text = line.toString(StandardCharsets.UTF_8);
                    if (divert.test(text)) {
                        diverted.accept(text.strip());
                    } else {
                        original.print(text);
                    }
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }

            @Override
            public void flush() {
                original.flush();
            }
        }, true, StandardCharsets.UTF_8);
        System.setOut(filter);
        try {
            return task.call();
        } finally {
            System.setOut(original);
            partial.values().forEach(rest -> original.print(rest.toString(StandardCharsets.UTF_8))); // unfinished lines
            original.flush();
        }
    }
}
