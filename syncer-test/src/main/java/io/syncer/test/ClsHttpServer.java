package io.syncer.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal HTTP/1.1 server on raw sockets, just enough for the CLS SDK's {@code HttpURLConnection}: request line,
 * headers, {@code Content-Length} bodies (chunked bodies are answered 400), {@code Expect: 100-continue} and
 * keep-alive. Unlike {@code com.sun.net.httpserver} it writes response header names exactly as given, so the SDK finds
 * {@code X-Cls-Requestid}.
 *
 * <p>Threads: one acceptor, {@code syncer-cls-endpoint-<port>-acceptor}, and at most {@code handlerThreads} connection
 * handlers, {@code syncer-cls-endpoint-<port>-handler-<n>}, all daemons; further connections wait for a free handler.
 * A handler serves one connection at a time and calls the {@link Handler} on its own thread, which may block (a
 * stall). Error answers close the connection, since {@code HttpURLConnection} abandons a connection whose error body
 * it does not read; 200 answers keep it open for the next request. An idle connection is closed after
 * {@link #IDLE_TIMEOUT_MS}. {@link #close()} closes the listening socket and every connection and interrupts the
 * handlers.
 */
final class ClsHttpServer implements AutoCloseable {
    /** How long a connection may sit idle between requests, ms; longer than the JDK's 5 s keep-alive cache. */
    static final int IDLE_TIMEOUT_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ClsHttpServer.class);
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final long MAX_DRAIN_BYTES = 64L << 20;
    private static final long CLOSE_WAIT_MS = 5_000;
    private static final int LINGER_MS = 500;

    /** What the endpoint does with requests; called on handler threads, concurrently. */
    interface Handler {
        /**
         * Answers one request; may block.
         *
         * @param request the request, body read
         * @return the answer
         * @throws InterruptedException if the server is closing
         */
        Response handle(Request request) throws InterruptedException;

        /**
         * Reports a request the server answered itself (chunked or oversized body, bad query), without a body.
         *
         * @param request the request, with an empty body
         * @param response what the server answered
         */
        void rejected(Request request, Response response);
    }

    /** Whether the client of a held request has closed its connection; called on the request's handler thread. */
    interface ClientWatch {
        /**
         * Checks the connection without blocking for long.
         *
         * @return whether the client has closed it
         */
        boolean clientGone();
    }

    /**
     * One request.
     *
     * @param requestId the id the answer will carry in {@code X-Cls-Requestid}
     * @param method the method, as sent
     * @param path the path, without the query, as sent
     * @param query the decoded query parameters; the first of repeated names wins
     * @param headers the headers, names as sent, in order
     * @param body the body
     * @param bodyLength the body's length as declared ({@code body.length} unless the server rejected the body)
     * @param watch tells whether the client has gone, while the request is held
     */
    record Request(String requestId, String method, String path, Map<String, String> query, List<Header> headers,
                   byte[] body, long bodyLength, ClientWatch watch) {
        /**
         * The first header of that name.
         *
         * @param name the name, any case
         * @return its value, trimmed, or {@code null}
         */
        String header(String name) {
            for (Header h : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    return h.value();
                }
            }
            return null;
        }
    }

    /**
     * A request header.
     *
     * @param name the name as sent
     * @param value the value, trimmed
     */
    record Header(String name, String value) {
    }

    /**
     * An answer: 200 with an empty body, a CLS error, or none (close the connection without answering).
     *
     * @param status the status, 0 for none
     * @param errorCode the CLS {@code errorcode}, {@code null} for 200 and none
     * @param message the CLS {@code errormessage}
     */
    record Response(int status, String errorCode, String message) {
        private static final Response NONE = new Response(0, null, null);
        private static final Response OK = new Response(200, null, null);

        static Response ok() {
            return OK;
        }

        static Response none() {
            return NONE;
        }

        static Response error(int status, String errorCode, String message) {
            return new Response(status, Objects.requireNonNull(errorCode), Objects.requireNonNull(message));
        }

        boolean answered() {
            return status != 0;
        }
    }

    private final ServerSocket serverSocket;
    private final int port;
    private final Handler handler;
    private final int maxBodyBytes;
    private final ThreadPoolExecutor handlers;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ClsHttpServer(ServerSocket serverSocket, Handler handler, int maxBodyBytes, int handlerThreads) {
        this.serverSocket = serverSocket;
        this.port = serverSocket.getLocalPort();
        this.handler = handler;
        this.maxBodyBytes = maxBodyBytes;
        String prefix = "syncer-cls-endpoint-" + port + "-";
        this.handlers = new ThreadPoolExecutor(handlerThreads, handlerThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(prefix + "handler-"));
        this.handlers.allowCoreThreadTimeOut(true);
        this.acceptor = threads(prefix + "acceptor").newThread(this::acceptLoop);
    }

    /**
     * Binds to {@code 127.0.0.1} (IPv4, whatever {@code localhost} resolves to) on a free port and starts accepting.
     *
     * @param handler answers the requests
     * @param maxBodyBytes larger bodies are answered 413 {@code ContentIsTooLarge}
     * @param handlerThreads how many connections are served at once
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    static ClsHttpServer start(Handler handler, int maxBodyBytes, int handlerThreads) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 64);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        ClsHttpServer server = new ClsHttpServer(socket, handler, maxBodyBytes, handlerThreads);
        server.acceptor.start();
        return server;
    }

    int port() {
        return port;
    }

    /** Stops accepting, closes every connection and interrupts the handlers; waits up to 5 s for them. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(serverSocket);
        handlers.shutdownNow();
        connections.forEach(ClsHttpServer::closeQuietly);
        try {
            acceptor.join(CLOSE_WAIT_MS);
            if (!handlers.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("CLS endpoint on port {}: handler threads still running after {} ms", port, CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("CLS endpoint on port {}: accept failed, stopping", port, e);
                }
                return;
            }
            connections.add(socket);
            try {
                handlers.execute(() -> serve(socket));
            } catch (RuntimeException e) {
                connections.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            Connection connection = new Connection(socket);
            while (!closed && connection.serveOne()) {
                // next request on the same connection
            }
            connection.drainUnreadInput();
        } catch (SocketTimeoutException e) {
            LOG.debug("CLS endpoint on port {}: closing a connection idle or stuck for {} ms", port, IDLE_TIMEOUT_MS);
        } catch (IOException e) {
            LOG.debug("CLS endpoint on port {}: connection ended: {}", port, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("CLS endpoint on port {}: a request failed, closing its connection", port, e);
        } finally {
            connections.remove(socket);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        boolean numbered = prefix.endsWith("-");
        return runnable -> {
            Thread t = new Thread(runnable, numbered ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> LOG.error("uncaught exception in {}", thread.getName(), e));
            return t;
        };
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    /** One connection: a buffered reader over the socket and the request/response loop. Confined to its handler. */
    private final class Connection implements ClientWatch {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int limit;
        private int headBytes;
        private boolean unreadInput;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Serves one request; returns whether the connection stays open. */
        boolean serveOne() throws IOException, InterruptedException {
            socket.setSoTimeout(IDLE_TIMEOUT_MS);
            headBytes = 0;
            String requestId = UUID.randomUUID().toString();
            String requestLine;
            List<Header> headers;
            try {
                requestLine = readLine();
                if (requestLine == null) {
                    return false;
                }
                if (requestLine.isEmpty()) {
                    return true;
                }
                socket.setSoTimeout(READ_TIMEOUT_MS);
                headers = readHeaders();
            } catch (MalformedHead e) {
                unreadInput = true;
                write(requestId, Response.error(400, "InvalidParam", e.getMessage()), false);
                return false;
            }
            String[] parts = requestLine.split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || !parts[1].startsWith("/")) {
                unreadInput = true;
                write(requestId, Response.error(400, "InvalidParam", "malformed request line"), false);
                return false;
            }
            String method = parts[0];
            String target = parts[1];
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            Map<String, String> query;
            try {
                query = parseQuery(q < 0 ? "" : target.substring(q + 1));
            } catch (IllegalArgumentException e) {
                query = null;
            }
            long length;
            try {
                length = contentLength(headers);
            } catch (NumberFormatException e) {
                length = -1;
            }
            Request head = new Request(requestId, method, path, query == null ? Map.of() : query, headers,
                    new byte[0], Math.max(length, 0), this);
            if (find(headers, "Transfer-Encoding") != null) {
                return reject(head, Response.error(400, "InvalidParam",
                        "Transfer-Encoding is not supported: send a Content-Length body"));
            }
            if (length < 0) {
                return reject(head, Response.error(400, "InvalidParam", "invalid Content-Length"));
            }
            if ("100-continue".equalsIgnoreCase(find(headers, "Expect")) && length <= maxBodyBytes) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            if (length > maxBodyBytes) {
                if (length <= MAX_DRAIN_BYTES) {
                    skipFully(length);
                }
                return reject(head, Response.error(413, "ContentIsTooLarge",
                        "body of " + length + " bytes exceeds " + maxBodyBytes));
            }
            byte[] body = readFully((int) length);
            if (query == null) {
                return reject(head, Response.error(400, "InvalidParam", "malformed query string"));
            }
            Response response = handler.handle(
                    new Request(requestId, method, path, query, headers, body, length, this));
            return response.answered() && write(requestId, response, keepAlive(parts[2], headers));
        }

        @Override
        public boolean clientGone() {
            if (pos < limit) {
                return false;
            }
            try {
                int old = socket.getSoTimeout();
                socket.setSoTimeout(1);
                try {
                    int n = in.read(buf, 0, buf.length);
                    if (n < 0) {
                        return true;
                    }
                    pos = 0;
                    limit = n;
                    return false;
                } catch (SocketTimeoutException e) {
                    return false;
                } finally {
                    socket.setSoTimeout(old);
                }
            } catch (IOException e) {
                return true;
            }
        }

        /**
         * Closing a socket with unread input resets the connection, and the client may then lose the answer: after an
         * answer that left input unread, shut down the output and read what the client still sends, briefly.
         */
        void drainUnreadInput() throws IOException {
            if (!unreadInput || socket.isClosed()) {
                return;
            }
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
            try {
                while (System.nanoTime() < deadline && in.read(buf, 0, buf.length) >= 0) {
                    // discard
                }
            } catch (SocketTimeoutException e) {
                // the client is still connected: close anyway
            }
        }

        private boolean reject(Request head, Response response) throws IOException {
            unreadInput = true;
            handler.rejected(head, response);
            return write(head.requestId(), response, false);
        }

        /** Writes the answer; errors close the connection. Returns whether it stays open. */
        private boolean write(String requestId, Response response, boolean keepAlive) throws IOException {
            boolean open = keepAlive && response.status() == 200;
            byte[] body = response.status() < 400 ? new byte[0]
                    : ("{\"errorcode\":\"" + json(response.errorCode()) + "\",\"errormessage\":\""
                            + json(response.message()) + "\"}").getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(256)
                    .append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status()))
                    .append("\r\nX-Cls-Requestid: ").append(requestId)
                    .append("\r\nContent-Length: ").append(body.length);
            if (body.length > 0) {
                head.append("\r\nContent-Type: application/json");
            }
            head.append("\r\nConnection: ").append(open ? "keep-alive" : "close").append("\r\n\r\n");
            ByteArrayOutputStream message = new ByteArrayOutputStream(head.length() + body.length);
            message.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            message.writeBytes(body);
            message.writeTo(out);
            out.flush();
            return open;
        }

        private List<Header> readHeaders() throws IOException {
            List<Header> headers = new ArrayList<>();
            while (true) {
                String line = readLine();
                if (line == null) {
                    throw new IOException("connection closed inside the request headers");
                }
                if (line.isEmpty()) {
                    return headers;
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || Character.isWhitespace(line.charAt(0))) {
                    throw new MalformedHead("malformed request header line");
                }
                headers.add(new Header(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
        }

        /** A line without its CR LF, or {@code null} at the end of the stream before any byte of it. */
        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (true) {
                if (pos == limit && !fill()) {
                    if (line.size() == 0) {
                        return null;
                    }
                    throw new IOException("connection closed inside a line");
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                if (++headBytes > MAX_HEADER_BYTES) {
                    throw new MalformedHead("request line and headers exceed " + MAX_HEADER_BYTES + " bytes");
                }
                line.write(b);
            }
        }

        private byte[] readFully(int length) throws IOException {
            byte[] body = new byte[length];
            int done = 0;
            while (done < length) {
                if (pos == limit && !fill()) {
                    throw new IOException("connection closed after " + done + " of " + length + " body bytes");
                }
                int n = Math.min(length - done, limit - pos);
                System.arraycopy(buf, pos, body, done, n);
                pos += n;
                done += n;
            }
            return body;
        }

        private void skipFully(long length) throws IOException {
            long left = length;
            while (left > 0) {
                if (pos == limit && !fill()) {
                    throw new IOException("connection closed inside the body");
                }
                int n = (int) Math.min(left, limit - pos);
                pos += n;
                left -= n;
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }
    }

    /** The request line or headers cannot be parsed; answered 400 and the connection closed. */
    private static final class MalformedHead extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedHead(String message) {
            super(message);
        }
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(name, value);
        }
        return Collections.unmodifiableMap(query);
    }

    private static boolean keepAlive(String version, List<Header> headers) {
        String connection = find(headers, "Connection");
        String c = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
        return version.equals("HTTP/1.1") ? !c.contains("close") : c.contains("keep-alive");
    }

    private static long contentLength(List<Header> headers) {
        String value = null;
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                if (value != null && !value.equals(h.value())) {
                    throw new NumberFormatException("conflicting Content-Length headers");
                }
                value = h.value();
            }
        }
        if (value == null) {
            return 0;
        }
        if (!value.matches("[0-9]{1,18}")) {
            throw new NumberFormatException(value);
        }
        return Long.parseLong(value);
    }

    private static String find(List<Header> headers, String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }
}
