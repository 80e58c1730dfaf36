package io.syncer.examples;

/** One access-log line as the edge writes it: JSON with the tenant's {@code appid}. */
public final class AccessLog {
    /** Request id. */
    public String id;
    /** The tenant. */
    public String appid;
    /** Request path. */
    public String path;
    /** HTTP status. */
    public int status;
    /** Response bytes. */
    public long bytes;
    /** Whether the edge classified the client as a bot. */
    public boolean bot;
}
