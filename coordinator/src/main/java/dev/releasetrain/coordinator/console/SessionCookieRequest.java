package dev.releasetrain.coordinator.console;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A console session cookie presented to the API; its own type, so it reaches no other identity provider. */
public final class SessionCookieRequest extends BaseAuthenticationRequest {
    private final String sessionId;

    public SessionCookieRequest(String sessionId) {
        this.sessionId = sessionId;
    }

    String sessionId() {
        return sessionId;
    }

    @Override
    public String toString() {
        return "SessionCookieRequest[session=***]";
    }
}
