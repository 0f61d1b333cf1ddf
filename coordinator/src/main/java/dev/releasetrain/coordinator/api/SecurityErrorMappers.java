package dev.releasetrain.coordinator.api;

import dev.releasetrain.coordinator.security.CurrentUser;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.util.TreeSet;

/**
 * 401 and 403 in the API's JSON error shape; a 401 also says {@code WWW-Authenticate: Bearer}. The
 * messages never repeat what the caller sent.
 */
public class SecurityErrorMappers {
    static final String CHALLENGE = "Bearer realm=\"release-train\"";

    @Inject
    CurrentIdentityAssociation identity;

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException ex, HttpHeaders headers) {
        return unauthenticated(headers);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException ex, HttpHeaders headers) {
        return unauthenticated(headers);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException ex, SimpleResourceInfo resource) {
        String who = CurrentUser.nameOf(identity.getIdentity());
        String has = identity.getIdentity() == null ? "" : String.join(", ", new TreeSet<>(identity.getIdentity().getRoles()));
        String needs = neededRoles(resource);
        return ApiError.response(403, who + " (" + (has.isEmpty() ? "no roles" : has) + ") may not make this call"
                + (needs == null ? "" : ": it needs the role " + needs));
    }

    private static String neededRoles(SimpleResourceInfo resource) {
        if (resource == null || resource.getResourceClass() == null) {
            return null;
        }
        try {
            RolesAllowed allowed = resource.getResourceClass()
                    .getMethod(resource.getMethodName(), resource.parameterTypes()).getAnnotation(RolesAllowed.class);
            if (allowed == null) {
                allowed = resource.getResourceClass().getAnnotation(RolesAllowed.class);
            }
            return allowed == null ? null : String.join(" or ", allowed.value());
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    private static Response unauthenticated(HttpHeaders headers) {
        String authorization = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        String message = authorization == null || authorization.isBlank()
                ? "authentication required: send Authorization: Bearer <token>"
                : "the credentials were not accepted: send Authorization: Bearer <a valid token>";
        return Response.fromResponse(ApiError.response(401, message)).header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE).build();
    }
}
