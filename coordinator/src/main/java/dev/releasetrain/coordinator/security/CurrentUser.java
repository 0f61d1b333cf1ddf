package dev.releasetrain.coordinator.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * The caller of the current request, for REST resources: {@code @Inject CurrentUser user; ... user.name()}.
 * The name is the person's name from their token (static tokens) or the principal of the OIDC token.
 */
@RequestScoped
public class CurrentUser {
    public static final String ANONYMOUS = "anonymous";

    @Inject
    SecurityIdentity identity;

    /** The caller's name, or {@value #ANONYMOUS} when the request carries no accepted credentials. */
    public String name() {
        return nameOf(identity);
    }

    public boolean hasRole(String role) {
        return identity.hasRole(role);
    }

    public static String nameOf(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? ANONYMOUS : identity.getPrincipal().getName();
    }
}
