package io.syncer.share;

/**
 * What a {@link ShareGroupManager}'s share consumers acquired and how each record was acknowledged.
 *
 * @param acquired records delivered to this member (a redelivery counts again)
 * @param accepted records acknowledged ACCEPT: processed, or dead-lettered
 * @param released records acknowledged RELEASE: their lock had no room for a retry, or the member closed
 * @param rejected records acknowledged REJECT (syncer never rejects: always 0 unless a handler does)
 * @param renewed lock renewals (RENEW) of records still in work, with {@link ShareGroupConfig#renewLocks()}
 * @param redelivered records delivered to this member more than once in all (delivery count above 1)
 * @param maxDeliveryCount the highest delivery count seen
 * @param acknowledgementFailures acknowledgements the broker refused (the lock had expired: another member may
 *     have the record now)
 * @param lapsed records the share consumer returned after their lock may have run out (it fetched them in the
 *     background while an earlier poll's records were in work) and whose lock renewal the broker refused: not
 *     processed here, the broker has given them to another member (with {@link ShareGroupConfig#renewLocks()})
 * @param queuedRecords records acquired and not yet acknowledged, now
 */
public record ShareGroupStats(long acquired, long accepted, long released, long rejected, long renewed, long redelivered,
                              int maxDeliveryCount, long acknowledgementFailures, long lapsed,
                              long queuedRecords) {
}
