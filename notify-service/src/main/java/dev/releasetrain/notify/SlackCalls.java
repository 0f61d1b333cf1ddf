package dev.releasetrain.notify;

import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import dev.releasetrain.worker.StepFailure;

import java.io.IOException;
import java.util.Set;

/**
 * One Slack Web API call as a step sees it: an {@code ok:false} answer or an HTTP error becomes a
 * {@link StepFailure} naming the method, the workspace and Slack's error code (never the token), retryable only
 * for what waiting can fix (rate limits, Slack-side errors).
 */
final class SlackCalls {
    static final Set<String> RETRYABLE_ERRORS = Set.of(
            "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout");

    private SlackCalls() {
    }

    interface SlackCall<T extends SlackApiTextResponse> {
        T call() throws IOException, SlackApiException;
    }

    static <T extends SlackApiTextResponse> T call(String workspace, String method, SlackCall<T> call) throws IOException {
        return checked(workspace, method, unchecked(workspace, method, call));
    }

    /** An HTTP error answer (429, 5xx) is thrown by the client as SlackApiException; ok=false is returned. */
    static <T extends SlackApiTextResponse> T unchecked(String workspace, String method, SlackCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (SlackApiException e) {
            int status = e.getResponse() != null ? e.getResponse().code() : 0;
            String error = e.getError() != null && e.getError().getError() != null ? e.getError().getError() : "HTTP " + status;
            throw new StepFailure("Slack " + method + " in the " + workspace + " workspace failed: " + error + " (HTTP " + status + ")",
                    status == 429 || status >= 500 || RETRYABLE_ERRORS.contains(error), e);
        }
    }

    static <T extends SlackApiTextResponse> T checked(String workspace, String method, T response) {
        if (!response.isOk()) {
            String error = response.getError() == null ? "unknown_error" : response.getError();
            throw new StepFailure("Slack " + method + " in the " + workspace + " workspace failed: " + error
                    + (response.getNeeded() != null ? " (needed scope " + response.getNeeded() + ")" : ""),
                    RETRYABLE_ERRORS.contains(error));
        }
        return response;
    }
}
