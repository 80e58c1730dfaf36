/**
 * Offsets: where a partition starts ({@link io.syncer.commit.InitialPosition}), what an
 * out-of-range position does ({@link io.syncer.commit.OffsetResetPolicy}) and when offsets are
 * committed ({@link io.syncer.commit.CommitMode}).
 *
 * <p>In the default mode a partition's committed offset is the first record not yet confirmed:
 * the contiguous prefix of completed records, tracked in O(1) amortised time per record.
 */
package io.syncer.commit;
