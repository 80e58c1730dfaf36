package io.syncer.examples;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options of the examples. */
final class Args {
    private Args() {
    }

    static Map<String, String> parse(String[] args, String usage) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + usage);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }
}
