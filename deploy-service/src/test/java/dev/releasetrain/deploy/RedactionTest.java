package dev.releasetrain.deploy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Reasons built from Helm's and the clients' messages carry no credentials. */
class RedactionTest {

    @Test
    void urlUserInfoBearerTokensAndKubeconfigSecretsAreMasked() {
        String message = "Get \"https://admin:s3cr3t@charts.example.com/index.yaml\": Authorization: Bearer eyJhbGciOi.x.y; "
                + "kubeconfig token: abc123def, client-key-data: LS0tLS1CRUdJTg==, api_key=phx_personal";
        String redacted = Redaction.text(message);
        for (String secret : new String[] {"s3cr3t", "eyJhbGciOi", "abc123def", "LS0tLS1CRUdJTg", "phx_personal"}) {
            assertFalse(redacted.contains(secret), redacted);
        }
        assertEquals("https://***@charts.example.com/", Redaction.url("https://admin:s3cr3t@charts.example.com/"));
    }
}
