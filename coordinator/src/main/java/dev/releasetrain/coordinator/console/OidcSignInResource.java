package dev.releasetrain.coordinator.console;

import dev.releasetrain.coordinator.api.ApiError;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.AuthorizationCodeFlow;
import io.quarkus.oidc.OidcSession;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticator;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * Signing in to the console through the OIDC provider's own login page: {@code GET /session/oidc} runs Quarkus'
 * authorization code flow (the {@code console} tenant: PKCE, state and nonce, {@code quarkus.oidc.console.*}). Once
 * the provider sent the browser back and the code was exchanged, the flow's access token is authenticated exactly as
 * a bearer token on the API (the default tenant: the same issuer checks and role claim), and its person and roles open
 * a console session like {@code POST /session} does: the HttpOnly session cookie, ended at the token's expiry at the
 * latest. Quarkus' own session cookie of the flow is dropped at once, so the console cookie is the only session.
 */
@Path("/session/oidc")
@Blocking
public class OidcSignInResource {
    private static final Logger LOG = Logger.getLogger(OidcSignInResource.class);
    static final String TENANT = "console";

    /** The provider the sign-in page offers ({@code name}: "Sign in with <name>") and where the flow starts. */
    public record Provider(String name, String signInPath) {
    }

    @Inject
    ConsoleSessions sessions;
    @Inject
    SecurityIdentity identity;
    /** The API's OIDC tenant (the default one): what a bearer token on the API is authenticated by. */
    @Inject
    TenantIdentityProvider apiTenant;
    @Inject
    OidcSession oidcSession;

    @ConfigProperty(name = "quarkus.oidc." + TENANT + ".tenant-enabled", defaultValue = "false")
    boolean enabled;
    @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false")
    boolean apiOidc;
    @ConfigProperty(name = "release-train.console.oidc.provider-name", defaultValue = "OIDC")
    String providerName;

    @Operation(summary = "The console's OIDC provider", description = "What the sign-in page offers besides the token form; 404 when the console has no OIDC sign-in.")
    @APIResponse(responseCode = "200", description = "The provider", content = @Content(schema = @Schema(implementation = Provider.class)))
    @APIResponse(responseCode = "404", description = "No OIDC sign-in is configured")
    @GET
    @Path("/provider")
    @PermitAll
    @Produces(MediaType.APPLICATION_JSON)
    public Provider provider() {
        if (!enabled) {
            throw ApiError.of(Response.Status.NOT_FOUND, "the console has no OIDC sign-in (quarkus.oidc.console.tenant-enabled is false)");
        }
        return new Provider(providerName, "/session/oidc");
    }

    /**
     * Not signed in at the provider yet: the code flow's own challenge (a redirect to the provider, with the state
     * cookie), where the API's 401 mapper would answer every other endpoint.
     */
    @ServerExceptionMapper
    public Uni<Response> toTheProvider(UnauthorizedException e, RoutingContext context) {
        HttpAuthenticator authenticator = context.get(HttpAuthenticator.class.getName());
        return authenticator.getChallenge(context).map(challenge -> {
            Response.ResponseBuilder r = Response.status(challenge.status);
            challenge.getHeaders().forEach((name, value) -> r.header(name.toString(), value));
            return r.build();
        });
    }

    @Operation(summary = "Sign in to the console through the OIDC provider",
            description = "Redirects to the provider's login page (authorization code flow with PKCE, state and nonce); back from it, opens a console session and redirects to the console.")
    @APIResponse(responseCode = "302", description = "To the provider's login page, or back here once signed in there")
    @APIResponse(responseCode = "303", description = "Signed in: the session cookie is set, on to the console")
    @APIResponse(responseCode = "401", description = "The provider's answer was refused, or its token would not be accepted by the API")
    @GET
    @AuthorizationCodeFlow
    @Produces(MediaType.APPLICATION_JSON)
    public Response signIn(@Context UriInfo uri) {
        AccessTokenCredential access = identity.getCredential(AccessTokenCredential.class);
        if (access == null || !apiOidc) {
            throw ApiError.of(Response.Status.UNAUTHORIZED, "the console's OIDC sign-in needs the API's OIDC (quarkus.oidc.tenant-enabled=true):"
                    + " the session takes its person and roles from the access token as the API reads it");
        }
        SecurityIdentity api;
        try {
            api = apiTenant.authenticate(new AccessTokenCredential(access.getToken())).await().atMost(Duration.ofSeconds(30));
        } catch (AuthenticationFailedException e) {
            // the reason only, never the token
            LOG.infof("an OIDC sign-in to the console was refused: the API does not accept the provider's access token (%s)", e.getMessage());
            throw ApiError.of(Response.Status.UNAUTHORIZED, "the provider's access token is not one the API accepts (issuer, audience or signature)");
        }
        Instant notAfter = api.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0
                ? Instant.ofEpochSecond(jwt.getExpirationTime()) : null;
        ConsoleSessions.Issued issued = sessions.open(api.getPrincipal().getName(), api.getRoles(), null, notAfter);
        oidcSession.logout().await().atMost(Duration.ofSeconds(10));
        long maxAge = Math.max(0, Duration.between(Instant.now(), issued.session().expiresAt()).getSeconds());
        LOG.infof("%s signed in to the console through %s", issued.session().person(), providerName);
        return Response.seeOther(URI.create("/")).cookie(SessionResource.cookie(issued.id(), (int) maxAge, uri)).build();
    }
}
