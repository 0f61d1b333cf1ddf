package dev.releasetrain.coordinator.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * {@code Authorization: Bearer <token>} checked against the static tokens of {@code release-train.auth.tokens}.
 * A token that matches none gives no identity (rather than an error), so that another mechanism, OIDC
 * when it is switched on, may still accept it; a request nobody accepts is anonymous and a secured
 * endpoint answers 401.
 */
@ApplicationScoped
public class StaticTokenAuthenticationMechanism implements HttpAuthenticationMechanism {
    static final String BEARER = "Bearer";
    static final ChallengeData CHALLENGE = new ChallengeData(401, "WWW-Authenticate", BEARER + " realm=\"release-train\"");

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String token = bearerToken(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            return Uni.createFrom().nullItem();
        }
        return identityProviderManager
                .authenticate(HttpSecurityUtils.setRoutingContextAttribute(new StaticTokenAuthenticationRequest(token), context))
                .onFailure(AuthenticationFailedException.class).recoverWithNull();
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    public static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length() + 1
                || !authorization.regionMatches(true, 0, BEARER + " ", 0, BEARER.length() + 1)) {
            return null;
        }
        String token = authorization.substring(BEARER.length() + 1).trim();
        return token.isEmpty() ? null : token;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(StaticTokenAuthenticationRequest.class);
    }

    /** Before OIDC's bearer mechanism (default priority): a static token is checked without a network call. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }
}
