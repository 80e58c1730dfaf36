package io.syncer.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} command-line options of the examples, and {@code --flag} switches. */
final class Args {
    private Args() {
    }

    static Map<String, String> parse(String[] args, String usage) {
        return parse(args, Set.of(), usage);
    }

    /**
     * Parses options.
     *
     * @param switches names that take no value (their value is {@code "true"})
     */
    static Map<String, String> parse(String[] args, Set<String> switches, String usage) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected '" + args[i] + "'; usage: " + usage);
            }
            String name = args[i].substring(2);
            if (switches.contains(name)) {
                opts.put(name, "true");
            } else if (i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value; usage: " + usage);
            }
        }
        return opts;
    }
}
