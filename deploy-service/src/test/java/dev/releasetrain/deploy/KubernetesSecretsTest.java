package dev.releasetrain.deploy;

import dev.releasetrain.worker.SecretRedactor;
import io.fabric8.kubernetes.client.Config;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The credentials inside a kubeconfig file are masked like configured secrets. */
class KubernetesSecretsTest {

    @Test
    void aKubeconfigsTokenAndClientKeyAreMaskedInWhatLeavesTheService() {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: prod
                  cluster:
                    server: https://kubernetes.example.com:6443
                users:
                - name: deployer
                  user:
                    token: kubeconfig-token-7f3a9c
                    client-key-data: Y2xpZW50LWtleS1kYXRhLXNlY3JldA==
                contexts:
                - name: prod
                  context:
                    cluster: prod
                    user: deployer
                current-context: prod
                """;
        Config config = Config.fromKubeconfig(kubeconfig);
        SecretRedactor redactor = new SecretRedactor(KubernetesSecrets.of(config));

        String reason = redactor.redact("helm failed: Unauthorized for token kubeconfig-token-7f3a9c with key "
                + "Y2xpZW50LWtleS1kYXRhLXNlY3JldA== at https://kubernetes.example.com:6443");
        assertEquals("helm failed: Unauthorized for token *** with key *** at https://kubernetes.example.com:6443", reason);
        assertTrue(KubernetesSecrets.of(Config.empty()).isEmpty(), "no credentials, nothing to mask");
    }
}
