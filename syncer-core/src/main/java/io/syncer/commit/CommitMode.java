package io.syncer.commit;

/** When a record's offset may be committed. */
public enum CommitMode {
    /**
     * The default: per partition, only the contiguous prefix of records whose processing completed
     * is committed. A crash re-delivers the records that were queued or in flight, never loses them.
     */
    AT_LEAST_ONCE,
    /**
     * Offsets are committed as soon as records are handed to the handler (queued), as the sarama
     * service this library replaces did. A crash or an abrupt close <b>loses every record that was
     * queued or in flight</b>. Only for data whose loss is acceptable and whose duplicates are not.
     */
    AT_MOST_ONCE
}
