package dev.releasetrain.worker.plan;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The guard of {@code POST /plan} ({@link PlanAccess}). A plan reads the remotes, GitHub, the cluster and the
 * registry with the service's own credentials, so only the coordinator may ask: it sends the internal token
 * {@code release-train.plan.token} (env {@code RELEASE_TRAIN_PLAN_TOKEN}) as {@code Authorization: Bearer}.
 *
 * <ul>
 *   <li>A token is configured: a request without it or with another one is refused, 401 with a JSON
 *       {@code {"status", "error", "message"}} naming what is wrong (never the token).</li>
 *   <li>No token is configured: the endpoint is off, 404, unless {@code release-train.plan.open-without-token}
 *       (true only in the dev and test profiles) opens it to anyone who reaches the service.</li>
 * </ul>
 */
@Provider
@PlanAccess
@Priority(Priorities.AUTHENTICATION)
public class PlanAccessFilter implements ContainerRequestFilter {
    static final String TOKEN = "release-train.plan.token";

    @ConfigProperty(name = TOKEN)
    Optional<String> token;

    @ConfigProperty(name = "release-train.plan.open-without-token", defaultValue = "false")
    boolean openWithoutToken;

    @Override
    public void filter(ContainerRequestContext request) {
        Optional<String> expected = token.map(String::strip).filter(t -> !t.isEmpty());
        if (expected.isEmpty()) {
            if (!openWithoutToken) {
                request.abortWith(error(404, "Not Found", "POST /plan is off on this service: " + TOKEN
                        + " (env RELEASE_TRAIN_PLAN_TOKEN) is not set"));
            }
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            request.abortWith(unauthorized("POST /plan needs the header 'Authorization: Bearer <" + TOKEN + ">'; "
                    + "the request has no Authorization header"));
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            request.abortWith(unauthorized("the Authorization header of POST /plan must be 'Bearer <" + TOKEN + ">'"));
            return;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, expected.get().getBytes(StandardCharsets.UTF_8))) {
            request.abortWith(unauthorized("the bearer token of POST /plan is not this service's " + TOKEN));
        }
    }

    private static Response unauthorized(String message) {
        return Response.fromResponse(error(401, "Unauthorized", message)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    static Response error(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("status", status, "error", error, "message", message)).build();
    }
}
