package dev.releasetrain.coordinator.console;

import dev.releasetrain.coordinator.api.ApiError;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * A change (any method but GET, HEAD, OPTIONS) authenticated by the console's session cookie must carry the
 * session's CSRF token in {@value #HEADER}; otherwise 403, and nothing is done. The cookie is also
 * {@code SameSite=Strict}, so another site's page cannot make the browser send it; this check holds even where
 * that attribute is not honoured. A page of another origin can neither read the token (it comes from
 * {@code GET /session}, which sends no CORS headers) nor set a custom header without a CORS preflight.
 * Requests with an {@code Authorization} header do not use the cookie and are not checked.
 */
public class CsrfCheck {
    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    CurrentIdentityAssociation identity;

    @ServerRequestFilter
    public Uni<Response> csrf(ContainerRequestContext request) {
        if (SAFE.contains(request.getMethod()) || request.getHeaderString(HttpHeaders.AUTHORIZATION) != null
                || !request.getCookies().containsKey(SessionCookieMechanism.COOKIE)) {
            return Uni.createFrom().nullItem();
        }
        String sent = request.getHeaderString(HEADER);
        return identity.getDeferredIdentity().map(id -> {
            String expected = id.getAttribute(SessionCookieIdentityProvider.CSRF_ATTRIBUTE);
            if (expected == null || (sent != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    sent.getBytes(StandardCharsets.US_ASCII)))) {
                return null; // not a cookie session (the endpoint answers 401 if it needs one), or the token matches
            }
            return ApiError.response(403, "a change made with the console's session cookie must send the header "
                    + HEADER + " with the session's token (from GET /session); nothing was done");
        });
    }
}
