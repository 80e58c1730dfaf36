package io.syncer.internal.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueueBudgetTest {
    @Test
    void boundsByCountAndBytes() {
        QueueBudget b = new QueueBudget(3, 100);
        assertTrue(b.tryReserve(40));
        assertTrue(b.tryReserve(40));
        assertFalse(b.tryReserve(40), "bytes would exceed 100");
        assertTrue(b.tryReserve(20));
        assertFalse(b.tryReserve(0), "count would exceed 3");
        assertEquals(1.0, b.usage());
        b.release(1, 40);
        assertTrue(b.tryReserve(10));
    }

    @Test
    void oversizedRecordIsAdmittedOnlyIntoAnEmptyQueue() {
        QueueBudget b = new QueueBudget(10, 100);
        assertTrue(b.tryReserve(500));
        assertFalse(b.tryReserve(1));
        b.release(1, 500);
        assertTrue(b.tryReserve(1));
        assertFalse(b.tryReserve(500));
    }
}
