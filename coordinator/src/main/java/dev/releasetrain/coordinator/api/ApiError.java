package dev.releasetrain.coordinator.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Every refused request answers JSON {"status": .., "error": .., "message": ..}; the message names the field. */
public record ApiError(int status, String error, String message) {

    public static WebApplicationException of(Response.Status status, String message) {
        return new WebApplicationException(message, response(status.getStatusCode(), message));
    }

    public static Response response(int status, String message) {
        Response.Status s = Response.Status.fromStatusCode(status);
        String error = s == null ? "error" : s.getReasonPhrase();
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status, error, message)).build();
    }
}
