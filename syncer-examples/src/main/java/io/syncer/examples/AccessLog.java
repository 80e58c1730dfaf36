package io.syncer.examples;

/** One access-log line as the edge writes it: JSON with the tenant's {@code appid}. */
public final class AccessLog {
    /** Request id, unique in a run. */
    public String id;
    /** When the request was served, epoch milliseconds. */
    public long ts;
    /** The tenant. */
    public String appid;
    /** The client's address. */
    public String ip;
    /** HTTP method. */
    public String method;
    /** Request path. */
    public String path;
    /** HTTP status. */
    public int status;
    /** Response bytes. */
    public long bytes;
    /** Time to serve, milliseconds. */
    public int latencyMs;
    /** The client's user agent. */
    public String ua;
    /** Whether the edge classified the client as a bot. */
    public boolean bot;
}
