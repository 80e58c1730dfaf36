package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Picked lines go to the handler from any thread; other lines reach stdout whole; stdout is restored. */
class StdoutFilterTest {
    @Test
    void divertsPickedLinesFromAnyThreadAndKeepsTheRest() throws Exception {
        PrintStream real = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        List<String> diverted = new CopyOnWriteArrayList<>();
        try {
            String result = StdoutFilter.run(line -> line.startsWith("Bootstrap metadata:"), diverted::add, () -> {
                Thread formatter = new Thread(() -> System.out.println("Bootstrap metadata: noise"));
                formatter.start();
                formatter.join();
                System.out.println("the application's line");
                System.out.print("an unfinished line");
                return "done";
            });
            assertEquals("done", result);
            assertEquals(capture, System.out, "stdout is restored");
        } finally {
            System.setOut(real);
        }
        assertEquals(List.of("Bootstrap metadata: noise"), diverted);
        assertEquals("the application's line\nan unfinished line", stdout.toString(StandardCharsets.UTF_8));
    }
}
