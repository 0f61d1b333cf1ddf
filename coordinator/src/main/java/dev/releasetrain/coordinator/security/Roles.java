package dev.releasetrain.coordinator.security;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The API's roles. Reads need {@link #VIEWER}; starting, retrying and cancelling a release need
 * {@link #RELEASE_MANAGER}; approving a gate needs {@link #APPROVER}. A release manager or an approver
 * is also a viewer.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String RELEASE_MANAGER = "release-manager";
    public static final String APPROVER = "approver";

    public static final Set<String> ALL = Set.of(VIEWER, RELEASE_MANAGER, APPROVER);

    private Roles() {
    }

    /** {@code roles} plus the roles they imply ({@link #VIEWER} for a release manager or an approver). */
    public static Set<String> withImplied(Set<String> roles) {
        Set<String> out = new LinkedHashSet<>(roles);
        if (roles.contains(RELEASE_MANAGER) || roles.contains(APPROVER)) {
            out.add(VIEWER);
        }
        return out;
    }
}
