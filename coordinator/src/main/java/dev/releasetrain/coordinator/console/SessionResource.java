package dev.releasetrain.coordinator.console;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import dev.releasetrain.coordinator.api.ApiError;
import dev.releasetrain.coordinator.security.ApiTokens;
import dev.releasetrain.coordinator.security.StaticTokenAuthenticationMechanism;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * The web console's sign-in: {@code POST /session} with {@code Authorization: Bearer <token>} (a static token or,
 * when OIDC is on, an OIDC access token) opens a session and sets its cookie (HttpOnly, SameSite=Strict, Secure
 * when the request came over https); {@code GET /session} says who is signed in and hands the page the session's
 * CSRF token; {@code DELETE /session} signs out. See docs/console.md.
 */
@Path("/session")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class SessionResource {

    /** Who is signed in, with which roles; {@code csrfToken} only for a cookie session (the console's). */
    public record SessionView(String name, List<String> roles, String csrfToken, Instant expiresAt) {
    }

    @Inject
    ConsoleSessions sessions;
    @Inject
    ApiTokens tokens;
    @Inject
    SecurityIdentity identity;

    @Operation(summary = "Sign in to the console", description = "Exchanges the bearer token for an HttpOnly, SameSite=Strict session cookie.")
    @APIResponse(responseCode = "200", description = "Signed in; the cookie is set", content = @Content(schema = @Schema(implementation = SessionView.class)))
    @APIResponse(responseCode = "400", description = "No bearer token")
    @POST
    @Authenticated
    public Response signIn(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context UriInfo uri) {
        String token = StaticTokenAuthenticationMechanism.bearerToken(authorization);
        if (token == null) {
            throw ApiError.of(Response.Status.BAD_REQUEST, "sign in with the header Authorization: Bearer <token>");
        }
        boolean staticToken = tokens.holderOf(token).isPresent();
        Instant notAfter = null;
        if (!staticToken && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            notAfter = Instant.ofEpochSecond(jwt.getExpirationTime());
        }
        ConsoleSessions.Issued issued = sessions.open(identity.getPrincipal().getName(), identity.getRoles(),
                staticToken ? token : null, notAfter);
        ConsoleSessions.Session s = issued.session();
        long maxAge = Math.max(0, Duration.between(Instant.now(), s.expiresAt()).getSeconds());
        return Response.ok(new SessionView(s.person(), sorted(s.roles()), s.csrfToken(), s.expiresAt()))
                .cookie(cookie(issued.id(), (int) maxAge, uri)).build();
    }

    @Operation(summary = "Who is signed in", description = "With the session's CSRF token for a cookie session.")
    @APIResponse(responseCode = "200", description = "The caller", content = @Content(schema = @Schema(implementation = SessionView.class)))
    @GET
    @Authenticated
    public SessionView whoAmI() {
        String csrf = identity.getAttribute(SessionCookieIdentityProvider.CSRF_ATTRIBUTE);
        return new SessionView(identity.getPrincipal().getName(), sorted(identity.getRoles()), csrf, null);
    }

    @Operation(summary = "Sign out of the console")
    @APIResponse(responseCode = "204", description = "Signed out; the cookie is cleared")
    @DELETE
    @PermitAll
    public Response signOut(@CookieParam(SessionCookieMechanism.COOKIE) String id, @Context UriInfo uri) {
        sessions.close(id);
        return Response.noContent().cookie(cookie("", 0, uri)).build();
    }

    static NewCookie cookie(String value, int maxAge, UriInfo uri) {
        return new NewCookie.Builder(SessionCookieMechanism.COOKIE).value(value).path("/").maxAge(maxAge)
                .httpOnly(true).secure("https".equalsIgnoreCase(uri.getRequestUri().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT).build();
    }

    private static List<String> sorted(java.util.Set<String> roles) {
        return List.copyOf(new TreeSet<>(roles));
    }
}
