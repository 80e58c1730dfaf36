package io.syncer.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The shard table against a HashMap: one shard per (partition, key bytes), through growth, collisions and sweeps. */
class ShardTableTest {
    private static final List<TopicPartition> PARTITIONS = List.of(new TopicPartition("t", 0),
            new TopicPartition("t", 1), new TopicPartition("u", 0));

    private static Shard get(ShardTable table, TopicPartition tp, byte[] key) {
        return table.getOrCreate(tp, key, ShardTable.hash(tp, key));
    }

    @Test
    void oneShardPerPartitionAndKeyContentThroughGrowthAndSweeps() {
        Random random = new Random(14);
        ShardTable table = new ShardTable();
        Map<String, Shard> reference = new HashMap<>();
        for (int step = 0; step < 50_000; step++) {
            TopicPartition tp = PARTITIONS.get(random.nextInt(PARTITIONS.size()));
            int k = random.nextInt(5_000);
            byte[] key = k == 0 ? null : ("k" + k).getBytes(StandardCharsets.UTF_8); // a fresh array: content counts
            String name = tp + "/" + k;
            Shard shard = get(table, tp, key);
            Shard known = reference.putIfAbsent(name, shard);
            if (known != null) {
                assertSame(known, shard, name + " at step " + step);
            }
            assertEquals(reference.size(), table.size());
            if (step % 7_000 == 6_999) { // a sweep drops about half the shards
                Set<Shard> dropped = new HashSet<>();
                reference.values().removeIf(s -> (System.identityHashCode(s) & 1) == 0 && dropped.add(s));
                table.removeIf(dropped::contains);
                assertEquals(reference.size(), table.size());
            }
        }
        Set<Shard> all = new HashSet<>();
        table.forEach(all::add);
        assertEquals(new HashSet<>(reference.values()), all);
    }

    @Test
    void sameKeyInAnotherPartitionIsAnotherShard() {
        ShardTable table = new ShardTable();
        byte[] key = "a".getBytes(StandardCharsets.UTF_8);
        Shard a0 = get(table, PARTITIONS.get(0), key);
        assertNotSame(a0, get(table, PARTITIONS.get(1), key));
        assertSame(a0, get(table, new TopicPartition("t", 0), "a".getBytes(StandardCharsets.UTF_8)));
        assertNotSame(get(table, PARTITIONS.get(0), null), get(table, PARTITIONS.get(0), new byte[0]),
                "a null key is not the empty key");
    }
}
