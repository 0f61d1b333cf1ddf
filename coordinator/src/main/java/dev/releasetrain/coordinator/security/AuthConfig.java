package dev.releasetrain.coordinator.security;

import io.smallrye.config.ConfigMapping;

import java.util.List;
import java.util.Optional;

/**
 * {@code release-train.auth.*}. {@code tokens}: the API's static bearer tokens, a comma-separated list of
 * {@code name:role1+role2:token} (also from the environment variable {@code RELEASE_TRAIN_AUTH_TOKENS}).
 * Tokens are secrets: they are never logged, and error messages about an entry name the person, never the token.
 */
@ConfigMapping(prefix = "release-train.auth")
public interface AuthConfig {
    Optional<List<String>> tokens();
}
