package dev.releasetrain.coordinator.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A bearer token presented to the API, to be checked against the static tokens. Its own request type,
 * so that it never reaches another identity provider (OIDC handles {@code TokenAuthenticationRequest}).
 */
public final class StaticTokenAuthenticationRequest extends BaseAuthenticationRequest {
    private final String token;

    public StaticTokenAuthenticationRequest(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }

    @Override
    public String toString() {
        return "StaticTokenAuthenticationRequest[token=***]";
    }
}
