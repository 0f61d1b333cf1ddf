package dev.releasetrain.deploy;

import dev.releasetrain.worker.StepFailure;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.Locale;

/**
 * How Helm's and the API server's errors become step failures: which are worth retrying (an unreachable or
 * overloaded cluster, another operation in progress) and which are not (a failed, rolled-back upgrade), with
 * credentials redacted from every reason.
 */
final class HelmFailures {

    private HelmFailures() {
    }

    /** Helm's message of a failed helm-java call (an {@link IllegalStateException}), redacted. */
    static String reason(IllegalStateException e) {
        return Redaction.text(String.valueOf(e.getMessage()).strip());
    }

    /** Helm's message decides: an unreachable cluster is worth retrying; a failed, rolled-back upgrade is not. */
    static boolean transientHelmError(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("rolled back") || m.contains("rolling back") || m.contains("has no deployed releases")) {
            return false;
        }
        return m.contains("cluster unreachable") || m.contains("connection refused") || m.contains("i/o timeout")
                || m.contains("no such host") || m.contains("eof") || m.contains("tls handshake")
                || m.contains("server is currently unable") || m.contains("too many requests")
                || m.contains("another operation (install/upgrade/rollback) is in progress")
                || m.contains("internal error") || m.contains("service unavailable");
    }

    /** A failed API call of {@code what}: no answer, 408, 429 and 5xx are retryable; other answers are not. */
    static StepFailure kubernetes(String what, KubernetesClientException e) {
        int code = e.getCode();
        if (code <= 0) { // no HTTP answer (fabric8 reports -1 or 0): connection refused, DNS, TLS, timeout
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new StepFailure(what + " failed: cluster unreachable: " + Redaction.text(root == e
                    ? e.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage()), true, e);
        }
        boolean retryable = code == 408 || code == 429 || code >= 500;
        return new StepFailure(what + " failed: HTTP " + code + ": " + Redaction.text(e.getMessage()), retryable, e);
    }
}
