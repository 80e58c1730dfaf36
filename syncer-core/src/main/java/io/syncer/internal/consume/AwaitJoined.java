package io.syncer.internal.consume;

import io.syncer.SyncerException;
import io.syncer.consume.GroupHealth;
import io.syncer.consume.ManagerState;
import java.time.Duration;
import java.util.function.Supplier;

/** The wait behind {@code awaitRunning} of a manager and of a pipeline: until the group is joined, or why not. */
public final class AwaitJoined {
    private AwaitJoined() {
    }

    /**
     * Polls {@code health} every 50 ms until the group is joined.
     *
     * @param health the manager's or pipeline's health
     * @param what names it in messages ("group access-log-syncer")
     * @param timeout how long to wait
     * @throws SyncerException when it failed or closed, or did not join in time (with the startup problem)
     * @throws InterruptedException if interrupted while waiting
     */
    public static void await(Supplier<GroupHealth> health, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            GroupHealth h = health.get();
            if (h.state() == ManagerState.FAILED || h.state() == ManagerState.CLOSED) {
                throw new SyncerException(what + " is " + h.state() + (h.failure() != null ? ": " + h.failure() : ""),
                        h.failure());
            }
            if (h.startupProblem() == null && h.state() != ManagerState.NEW && h.state() != ManagerState.STARTING
                    && h.state() != ManagerState.CLOSING) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new SyncerException(what + " did not join its group within " + timeout
                        + (h.startupProblem() != null ? ": " + h.startupProblem()
                        : " (it keeps trying; its health says why once the join timeout has passed)"));
            }
            Thread.sleep(50);
        }
    }
}
