package dev.releasetrain.coordinator.security;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** Test-only endpoint: who {@link CurrentUser} says the caller is. */
@Path("/test/whoami")
public class WhoAmIResource {
    @Inject
    CurrentUser user;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.VIEWER)
    public Map<String, Object> whoami() {
        return Map.of("name", user.name(), "releaseManager", user.hasRole(Roles.RELEASE_MANAGER),
                "approver", user.hasRole(Roles.APPROVER), "viewer", user.hasRole(Roles.VIEWER));
    }
}
