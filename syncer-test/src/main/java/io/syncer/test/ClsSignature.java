package io.syncer.test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The v1 ({@code q-sign-algorithm=sha1}, COS-style) signature of CLS requests, written from the algorithm in
 * {@code cls.md} §9 rather than copied from the SDK: {@link #parse parse} an {@code Authorization} header,
 * {@link #signature compute} the signature the server expects, or {@link #authorization build} a header for a
 * hand-made request. Stateless and thread-safe.
 */
final class ClsSignature {
    /** The only algorithm the CLS upload API accepts. */
    static final String ALGORITHM = "sha1";

    private ClsSignature() {
    }

    /**
     * A parsed {@code Authorization} header. {@code toString()} shows no signature.
     *
     * @param secretId {@code q-ak}
     * @param signTime {@code q-sign-time}, {@code "<start>;<end>"} in Unix seconds
     * @param signStart the start of {@code signTime}
     * @param signEnd the end of {@code signTime}
     * @param keyTime {@code q-key-time}
     * @param headerList {@code q-header-list}: the signed header names, lower case
     * @param paramList {@code q-url-param-list}: the signed query parameter names, lower case
     * @param signature {@code q-signature}, lower-case hex
     */
    record Authorization(String secretId, String signTime, long signStart, long signEnd, String keyTime,
                         List<String> headerList, List<String> paramList, String signature) {
        @Override
        public String toString() {
            return "Authorization[q-ak=" + secretId + ", q-sign-time=" + signTime + ", q-header-list=" + headerList
                    + ", q-url-param-list=" + paramList + "]";
        }
    }

    /**
     * Parses an {@code Authorization} header value.
     *
     * @param header the header value
     * @return the parsed header
     * @throws IllegalArgumentException if a field is missing or malformed; the message names it
     */
    static Authorization parse(String header) {
        Map<String, String> fields = new HashMap<>();
        for (String part : header.trim().split("&")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed Authorization field '" + part + "'");
            }
            fields.putIfAbsent(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
        }
        String algorithm = required(fields, "q-sign-algorithm");
        if (!ALGORITHM.equalsIgnoreCase(algorithm)) {
            throw new IllegalArgumentException("q-sign-algorithm must be sha1, not '" + algorithm + "'");
        }
        String secretId = required(fields, "q-ak");
        if (secretId.isEmpty()) {
            throw new IllegalArgumentException("q-ak is empty");
        }
        String signTime = required(fields, "q-sign-time");
        long[] window = window(signTime, "q-sign-time");
        String keyTime = required(fields, "q-key-time");
        window(keyTime, "q-key-time");
        String signature = required(fields, "q-signature").toLowerCase(Locale.ROOT);
        if (!signature.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("q-signature is not 40 hex digits");
        }
        return new Authorization(secretId, signTime, window[0], window[1], keyTime,
                names(required(fields, "q-header-list")), names(required(fields, "q-url-param-list")), signature);
    }

    /**
     * Computes {@code q-signature}.
     *
     * @param secretKey the SecretKey of {@code q-ak}
     * @param keyTime {@code q-key-time}
     * @param signTime {@code q-sign-time}
     * @param method the HTTP method, any case
     * @param path the request path, e.g. {@code /structuredlog}
     * @param params the signed query parameters, decoded; names in any case
     * @param headers the signed headers as they are sent; names in any case
     * @return 40 lower-case hex digits
     */
    static String signature(String secretKey, String keyTime, String signTime, String method, String path,
                            Map<String, String> params, Map<String, String> headers) {
        String signKey = hex(hmacSha1(secretKey.getBytes(StandardCharsets.UTF_8), keyTime));
        String httpString = method.toLowerCase(Locale.ROOT) + "\n" + path + "\n" + format(params) + "\n"
                + format(headers) + "\n";
        String stringToSign = ALGORITHM + "\n" + signTime + "\n" + hex(sha1(httpString)) + "\n";
        return hex(hmacSha1(signKey.getBytes(StandardCharsets.UTF_8), stringToSign));
    }

    /**
     * Builds an {@code Authorization} header that signs every given parameter and header, as the SDK does.
     *
     * @param secretId the SecretId
     * @param secretKey the SecretKey
     * @param method the HTTP method
     * @param path the request path
     * @param params the query parameters to sign, decoded
     * @param headers the headers to sign, as they will be sent (the SDK signs {@code Content-Type} and
     *     {@code Host})
     * @param startSeconds the start of the validity window, Unix seconds
     * @param endSeconds its end
     * @return the header value
     */
    static String authorization(String secretId, String secretKey, String method, String path,
                                Map<String, String> params, Map<String, String> headers,
                                long startSeconds, long endSeconds) {
        String time = startSeconds + ";" + endSeconds;
        return "q-sign-algorithm=" + ALGORITHM + "&q-ak=" + secretId + "&q-sign-time=" + time + "&q-key-time=" + time
                + "&q-header-list=" + String.join(";", lowerSorted(headers).keySet())
                + "&q-url-param-list=" + String.join(";", lowerSorted(params).keySet())
                + "&q-signature=" + signature(secretKey, time, time, method, path, params, headers);
    }

    /**
     * {@code URLEncoder.encode(s, UTF-8)} with {@code +} as {@code %20}, {@code *} as {@code %2A} and {@code %7E} as
     * {@code ~}: the encoding of names and values in the string to sign.
     *
     * @param s the text
     * @return the encoded text
     */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    private static String format(Map<String, String> pairs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : lowerSorted(pairs).entrySet()) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(encode(e.getKey())).append('=').append(encode(e.getValue() == null ? "" : e.getValue()));
        }
        return sb.toString();
    }

    private static SortedMap<String, String> lowerSorted(Map<String, String> pairs) {
        SortedMap<String, String> sorted = new TreeMap<>();
        pairs.forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), v));
        return sorted;
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Authorization has no " + name);
        }
        return value;
    }

    private static long[] window(String time, String name) {
        String[] parts = time.split(";", -1);
        try {
            if (parts.length == 2) {
                long start = Long.parseLong(parts[0]);
                long end = Long.parseLong(parts[1]);
                if (start <= end) {
                    return new long[] {start, end};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be '<start>;<end>' in Unix seconds, not '" + time + "'");
    }

    private static List<String> names(String list) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(";")) {
            if (!name.isBlank()) {
                names.add(name.trim().toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    private static byte[] hmacSha1(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    private static byte[] sha1(String message) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
