package io.syncer.reliability;

/**
 * One scenario's figures, every one read from the target by an independent read.
 *
 * @param scenario the scenario's name
 * @param produced records written to the source
 * @param delivered distinct records the target holds
 * @param lost produced records the target does not hold (must be 0)
 * @param duplicates extra copies in the target (counted, explained in the notes)
 * @param recoverySeconds the longest time from a fault's end to the pipeline delivering again
 * @param peakHeapMb the pipeline JVM's highest heap use after a collection, in MiB
 * @param notes what happened: faults injected, how duplicates arose
 */
record Result(String scenario, long produced, long delivered, long lost, long duplicates, double recoverySeconds,
              long peakHeapMb, String notes) {
    String line() {
        return String.format("RESULT %-22s produced=%d delivered=%d lost=%d duplicates=%d recovery=%.1fs peak_heap=%dMB  %s",
                scenario, produced, delivered, lost, duplicates, recoverySeconds, peakHeapMb, notes);
    }
}
