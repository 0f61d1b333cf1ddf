package dev.releasetrain.deploy;

import dev.releasetrain.worker.StepFailure;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which of Helm's and the API server's errors are worth retrying, and that their reasons carry no credentials. */
class HelmFailuresTest {

    @Test
    void anUnreachableOrBusyClusterIsRetryableAndARolledBackUpgradeIsNot() {
        assertTrue(HelmFailures.transientHelmError("Kubernetes cluster unreachable: dial tcp 10.0.0.1:443: connection refused"));
        assertTrue(HelmFailures.transientHelmError("another operation (install/upgrade/rollback) is in progress"));
        assertTrue(HelmFailures.transientHelmError("the server is currently unable to handle the request"));
        assertFalse(HelmFailures.transientHelmError("release posthog failed, and has been rolled back due to atomic "
                + "being set: context deadline exceeded"));
        assertFalse(HelmFailures.transientHelmError("\"posthog\" has no deployed releases"));
        assertFalse(HelmFailures.transientHelmError("template: posthog/templates/web.yaml:3: nil pointer"));
    }

    @Test
    void helmsMessageIsRedacted() {
        String reason = HelmFailures.reason(new IllegalStateException(
                " looks like \"https://user:hunter2@charts.example.com/\" is not a valid chart repository \n"));
        assertEquals("looks like \"https://***@charts.example.com/\" is not a valid chart repository", reason);
    }

    @Test
    void apiErrorsWithoutAnAnswerOr5xxAreRetryableAnd4xxAreNot() {
        StepFailure unreachable = HelmFailures.kubernetes("reading x", new KubernetesClientException(
                "Operation failed", new ConnectException("Connection refused: token: abc123")));
        assertTrue(unreachable.retryable());
        assertEquals("reading x failed: cluster unreachable: ConnectException: Connection refused: token: ***",
                unreachable.getMessage());
        assertTrue(HelmFailures.kubernetes("reading x", new KubernetesClientException("busy", 503, null)).retryable());
        assertTrue(HelmFailures.kubernetes("reading x", new KubernetesClientException("slow down", 429, null)).retryable());
        StepFailure forbidden = HelmFailures.kubernetes("reading x", new KubernetesClientException("forbidden", 403, null));
        assertFalse(forbidden.retryable());
        assertEquals("reading x failed: HTTP 403: forbidden", forbidden.getMessage());
    }
}
