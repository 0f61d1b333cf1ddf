package dev.releasetrain.coordinator.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Turns a presented static bearer token into the identity of its holder: their name and roles. */
@ApplicationScoped
public class StaticTokenIdentityProvider implements IdentityProvider<StaticTokenAuthenticationRequest> {
    private static final Logger LOG = Logger.getLogger(StaticTokenIdentityProvider.class);

    @Inject
    ApiTokens tokens;

    @Override
    public Class<StaticTokenAuthenticationRequest> getRequestType() {
        return StaticTokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(StaticTokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return tokens.holderOf(request.token())
                .<Uni<SecurityIdentity>>map(h -> {
                    LOG.debugf("bearer token of %s accepted (roles %s)", h.name(), h.roles());
                    return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(h.name()))
                            .addRoles(h.roles())
                            .build());
                })
                .orElseGet(() -> {
                    LOG.debug("a bearer token matching no configured token was refused");
                    return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is not valid"));
                });
    }
}
