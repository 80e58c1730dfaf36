package io.syncer.test;

/**
 * One request as it arrived at a {@link ClsEndpoint}, and what the endpoint did with it. Only requests answered 200
 * had their logs stored.
 *
 * @param topicId the {@code topic_id} query parameter, {@code null} if absent
 * @param status the HTTP status answered; 0 if nothing was answered (dropped by {@link ClsEndpoint#dropNext}, held
 *     until the client gave up, or held when the endpoint closed)
 * @param errorCode the CLS {@code errorcode} answered, e.g. {@code AuthFailure.SignatureFailure}; {@code null} for 200
 *     and when nothing was answered
 * @param requestId the id sent in {@code X-Cls-Requestid} (also generated when nothing was answered)
 * @param contextFlow the first log group's {@code contextFlow} ({@code ""} if absent), or {@code null} if the body
 *     could not be decoded; the body is decoded for this record even when the request was refused
 * @param logs how many logs the body held, 0 if it could not be decoded
 * @param compressedBytes the body's length as sent (LZ4-compressed, unless sent without {@code x-cls-compress-type})
 */
public record ClsRequest(String topicId, int status, String errorCode, String requestId, String contextFlow, int logs,
                         int compressedBytes) {
    /**
     * Whether the endpoint answered 200 and stored the logs.
     *
     * @return {@code status() == 200}
     */
    public boolean accepted() {
        return status == 200;
    }
}
