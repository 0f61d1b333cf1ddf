package dev.releasetrain.worker;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretRedactorTest {

    @Test
    void masksConfiguredSecretValuesAndUrlPasswords() {
        SecretRedactor r = new SecretRedactor(List.of("xoxb-1234567", "true", "abc"));

        assertEquals("auth *** failed; push to https://bot:***@github.com/PostHog/posthog.git: true",
                r.redact("auth xoxb-1234567 failed; push to https://bot:ghp_zzz@github.com/PostHog/posthog.git: true"));
    }

    @Test
    void recognisesSecretPropertyNames() {
        for (String name : List.of("release-train.slack.token", "RELEASE_TRAIN_SLACK_TOKEN", "AWS_SECRET_ACCESS_KEY",
                "quarkus.datasource.password", "release-train.github.api-key")) {
            assertTrue(SecretRedactor.SECRET_NAME.matcher(name).matches(), name);
        }
        assertTrue(!SecretRedactor.SECRET_NAME.matcher("release-train.slack.channel").matches());
    }
}
