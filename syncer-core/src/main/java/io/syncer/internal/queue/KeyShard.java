package io.syncer.internal.queue;

import java.util.Arrays;
import org.apache.kafka.common.TopicPartition;

/**
 * Ordering key of KEY mode: the partition and the record key's bytes ({@code null} allowed). The
 * array is the record's own and is never modified, so it is compared by content, not copied.
 */
final class KeyShard {
    final TopicPartition tp;
    final byte[] key;
    final int hash;

    KeyShard(TopicPartition tp, byte[] key) {
        this.tp = tp;
        this.key = key;
        this.hash = 31 * tp.hashCode() + Arrays.hashCode(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyShard && ((KeyShard) o).tp.equals(tp) && Arrays.equals(((KeyShard) o).key, key);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
