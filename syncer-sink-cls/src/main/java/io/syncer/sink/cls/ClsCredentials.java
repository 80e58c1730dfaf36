package io.syncer.sink.cls;

import java.util.Map;
import java.util.Objects;

/**
 * A Tencent Cloud API key pair (SecretId, SecretKey) and, for temporary STS credentials, a session
 * token. The secrets never appear in {@link #toString()}, log lines or exception messages: only
 * the SecretId's first four characters are ever shown.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClsCredentials {
    /** Environment variable read by {@link #fromEnvironment()} for the SecretId. */
    public static final String ENV_SECRET_ID = "TENCENTCLOUD_SECRET_ID";
    /** Environment variable read by {@link #fromEnvironment()} for the SecretKey. */
    public static final String ENV_SECRET_KEY = "TENCENTCLOUD_SECRET_KEY";
    /** Environment variable read by {@link #fromEnvironment()} for the optional session token. */
    public static final String ENV_SESSION_TOKEN = "TENCENTCLOUD_SESSION_TOKEN";

    private final String secretId;
    private final String secretKey;
    private final String token;

    private ClsCredentials(String secretId, String secretKey, String token) {
        this.secretId = requireText("secretId", secretId);
        this.secretKey = requireText("secretKey", secretKey);
        this.token = token == null ? "" : token;
    }

    /**
     * A permanent key pair.
     *
     * @param secretId the SecretId, not blank
     * @param secretKey the SecretKey, not blank
     * @return the credentials
     */
    public static ClsCredentials of(String secretId, String secretKey) {
        return new ClsCredentials(secretId, secretKey, "");
    }

    /**
     * Temporary (STS) credentials: the token is sent as {@code X-Cls-Token}.
     *
     * @param secretId the temporary SecretId
     * @param secretKey the temporary SecretKey
     * @param token the session token, not blank
     * @return the credentials
     */
    public static ClsCredentials temporary(String secretId, String secretKey, String token) {
        return new ClsCredentials(secretId, secretKey, requireText("token", token));
    }

    /**
     * Reads {@value #ENV_SECRET_ID}, {@value #ENV_SECRET_KEY} and, if set,
     * {@value #ENV_SESSION_TOKEN} from the process environment.
     *
     * @return the credentials
     * @throws IllegalStateException when the id or key is missing (the message names the variable,
     *     never a value)
     */
    public static ClsCredentials fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static ClsCredentials fromEnvironment(Map<String, String> env) {
        String id = env.get(ENV_SECRET_ID);
        String key = env.get(ENV_SECRET_KEY);
        if (id == null || id.isBlank() || key == null || key.isBlank()) {
            throw new IllegalStateException("CLS credentials: set " + ENV_SECRET_ID + " and " + ENV_SECRET_KEY
                    + " (and " + ENV_SESSION_TOKEN + " for temporary credentials)");
        }
        String token = env.get(ENV_SESSION_TOKEN);
        return new ClsCredentials(id, key, token == null || token.isBlank() ? "" : token);
    }

    /** @return the SecretId */
    public String secretId() {
        return secretId;
    }

    /** @return the SecretKey; keep it out of logs */
    public String secretKey() {
        return secretKey;
    }

    /** @return the session token, or {@code ""} for a permanent key pair */
    public String token() {
        return token;
    }

    /**
     * The SecretId with all but its first four characters masked, for log lines and health.
     *
     * @return e.g. {@code AKID****}
     */
    public String maskedId() {
        return (secretId.length() <= 4 ? "" : secretId.substring(0, 4)) + "****";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClsCredentials && ((ClsCredentials) o).secretId.equals(secretId)
                && ((ClsCredentials) o).secretKey.equals(secretKey) && ((ClsCredentials) o).token.equals(token);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secretId, secretKey, token);
    }

    @Override
    public String toString() {
        return "ClsCredentials{secretId=" + maskedId() + ", secretKey=****" + (token.isEmpty() ? "" : ", token=****") + '}';
    }

    private static String requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
