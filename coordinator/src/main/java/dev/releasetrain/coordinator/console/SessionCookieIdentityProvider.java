package dev.releasetrain.coordinator.console;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Turns a live console session into its person's identity; the session's CSRF token rides along as an attribute. */
@ApplicationScoped
public class SessionCookieIdentityProvider implements IdentityProvider<SessionCookieRequest> {
    /** The identity attribute holding the session's CSRF token (only identities from a cookie have it). */
    public static final String CSRF_ATTRIBUTE = "release-train.console.csrf";

    @Inject
    ConsoleSessions sessions;

    @Override
    public Class<SessionCookieRequest> getRequestType() {
        return SessionCookieRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(SessionCookieRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> sessions.find(request.sessionId())
                .map(s -> (SecurityIdentity) QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(s.person()))
                        .addRoles(s.roles())
                        .addAttribute(CSRF_ATTRIBUTE, s.csrfToken())
                        .build())
                .orElseThrow(() -> new AuthenticationFailedException("the console session is not valid")));
    }
}
