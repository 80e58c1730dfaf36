package io.syncer.it;

import io.syncer.consume.ConsumerGroupHandler;
import io.syncer.consume.DrainMode;
import io.syncer.consume.GroupSession;
import io.syncer.consume.PartitionClaim;
import java.time.Duration;

/** Forwards every moment to a delegate; tests override the moments they observe. */
class ForwardingHandler implements ConsumerGroupHandler {
    private final ConsumerGroupHandler delegate;

    ForwardingHandler(ConsumerGroupHandler delegate) {
        this.delegate = delegate;
    }

    @Override
    public void setup(GroupSession session) throws Exception {
        delegate.setup(session);
    }

    @Override
    public void consumeClaim(GroupSession session, PartitionClaim claim) throws Exception {
        delegate.consumeClaim(session, claim);
    }

    @Override
    public void cleanup(GroupSession session) throws Exception {
        delegate.cleanup(session);
    }

    @Override
    public void close(Duration timeout, DrainMode mode) throws Exception {
        delegate.close(timeout, mode);
    }
}
