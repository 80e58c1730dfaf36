package io.syncer.sink.cls;

import com.tencentcloudapi.cls.producer.Result;
import com.tencentcloudapi.cls.producer.common.Attempt;
import com.tencentcloudapi.cls.producer.errors.LogSizeTooLargeException;
import com.tencentcloudapi.cls.producer.errors.MaxBatchCountExceedException;
import com.tencentcloudapi.cls.producer.errors.TimeoutException;
import io.syncer.sink.SinkResult;
import io.syncer.sink.SinkWriteException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one {@code putLogs} call ended, translated once from the SDK's words into core's: the one
 * place that knows CLS's error codes. The SDK 1.0.15 reports an HTTP status only as its code:
 * 401 {@code AuthFailure}, 403 {@code SingleValueExceed1M} (for every 403), 404
 * {@code TopicNotExists}, 413 {@code ContentIsTooLarge}, 400 {@code InvalidParam}, 429
 * {@code SpeedQuotaExceed}, 5xx and other statuses {@code BadResponse}, I/O errors {@code SendFailed}.
 */
final class ClsOutcome {
    /** Detail keys added to a dead letter's headers (after {@code syncer.dlt.detail.}). */
    static final String CODE = "cls.error.code";
    static final String MESSAGE = "cls.error.message";
    static final String REQUEST_ID = "cls.request.id";
    static final String TOPIC = "cls.topic";
    static final String ATTEMPTS = "cls.attempts";

    /** What the failure says about the records of the call. */
    enum Kind {
        /** Transient: a full buffer, an SDK error, a code this sink does not know. */
        RETRY(SinkResult.Status.RETRY),
        /** The content is at fault (400, 413): split the call to find the record, then fail it alone. */
        CONTENT(SinkResult.Status.FAIL),
        /** The topic is at fault (404): every record of the call fails. */
        TOPIC(SinkResult.Status.FAIL),
        /** The topic cannot take writes now (403, or 429 throttled): hold its records, the other topics go on. */
        DESTINATION(SinkResult.Status.DESTINATION_UNAVAILABLE),
        /** The sink as a whole cannot write (401, 5xx, no answer): hold the records, do not dead-letter them. */
        UNAVAILABLE(SinkResult.Status.UNAVAILABLE);

        /** The core status every record of the call gets, unless the call is split first. */
        final SinkResult.Status status;

        Kind(SinkResult.Status status) {
            this.status = status;
        }
    }

    final Kind kind;
    final SinkWriteException error;

    private ClsOutcome(Kind kind, SinkWriteException error) {
        this.kind = kind;
        this.error = error;
    }

    /** A failed {@code Result}, as the callback reported it. */
    static ClsOutcome of(String sink, String topic, Result result) {
        String code = String.valueOf(result.getErrorCode());
        String message = result.getErrorMessage();
        List<Attempt> attempts = result.getReservedAttempts();
        String requestId = attempts == null || attempts.isEmpty() ? null : attempts.get(attempts.size() - 1).getRequestId();
        Kind kind;
        String what;
        switch (code) {
            case "AuthFailure":
                kind = Kind.UNAVAILABLE;
                what = "CLS rejected the credentials (HTTP 401 AuthFailure): check the SecretId and SecretKey";
                break;
            case "SingleValueExceed1M":
                // values are checked against 1 MiB before upload, so a 403 is a permission on this topic, not a record's
                kind = Kind.DESTINATION;
                what = "CLS refused the upload (HTTP 403; the SDK labels every 403 SingleValueExceed1M, but values are "
                        + "checked before upload): check the key's permissions on the topic and the account's state";
                break;
            case "TopicNotExists":
                kind = Kind.TOPIC;
                what = "CLS topic " + topic + " does not exist (HTTP 404)";
                break;
            case "InvalidParam":
            case "ContentIsTooLarge":
                kind = Kind.CONTENT;
                what = "CLS rejected the content (" + code + ")";
                break;
            case "SpeedQuotaExceed":
                // the topic's write quota: that topic is held and probed, the other topics go on
                kind = Kind.DESTINATION;
                what = "CLS throttled the topic (HTTP 429 SpeedQuotaExceed)";
                break;
            case "BadResponse":
            case "SendFailed":
                // 5xx or another status, or no answer at all: the service cannot take uploads now
                kind = Kind.UNAVAILABLE;
                what = "CLS did not take the upload (" + code + ")";
                break;
            default:
                kind = Kind.RETRY;
                what = "CLS upload failed (" + code + ")";
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put(CODE, code);
        details.put(MESSAGE, message);
        details.put(REQUEST_ID, requestId == null || requestId.isEmpty() ? null : requestId);
        details.put(TOPIC, topic);
        details.put(ATTEMPTS, Integer.toString(result.getAttemptCount()));
        String text = "sink " + sink + ": " + what + (message == null ? "" : ": " + message)
                + (requestId == null || requestId.isEmpty() ? "" : " (request id " + requestId + ")");
        return new ClsOutcome(kind, new SinkWriteException(sink, text, kind != Kind.TOPIC && kind != Kind.CONTENT, details, null));
    }

    /** {@code putLogs} threw before anything was sent. */
    static ClsOutcome thrown(String sink, String topic, Throwable t) {
        Kind kind;
        String what;
        if (t instanceof TimeoutException) {
            kind = Kind.RETRY;
            what = "the SDK's buffer is full (bufferBytes)";
        } else if (t instanceof LogSizeTooLargeException || t instanceof MaxBatchCountExceedException
                || t instanceof IllegalArgumentException) {
            kind = Kind.CONTENT;
            what = "the SDK refused the logs";
        } else {
            kind = Kind.RETRY; // closed, interrupted, an SDK-internal error
            what = "the SDK did not take the logs";
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put(CODE, t.getClass().getSimpleName());
        details.put(MESSAGE, t.getMessage());
        details.put(TOPIC, topic);
        return new ClsOutcome(kind, new SinkWriteException(sink, "sink " + sink + ": " + what + ": " + t, kind == Kind.RETRY,
                details, t));
    }

    /** The result every record of the call gets, unless it is split first ({@link Kind#CONTENT}). */
    SinkResult result() {
        return SinkResult.of(kind.status, error);
    }
}
