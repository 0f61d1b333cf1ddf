package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into the API's JSON error shape, without leaking internals. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException ex) {
        Response r = ex.getResponse();
        if (r.hasEntity() && r.getEntity() instanceof ApiError) {
            return r;
        }
        String message = ex.getMessage() == null ? r.getStatusInfo().getReasonPhrase() : ex.getMessage();
        if (ex.getCause() instanceof JsonProcessingException json) {
            return badJson(json);
        }
        return ApiError.response(r.getStatus(), message);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException ex) {
        return badJson(ex);
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException ex) {
        return badJson(ex);
    }

    private static Response badJson(JsonProcessingException ex) {
        if (ex instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().get(m.getPath().size() - 1).getFieldName();
            return ApiError.response(400, "field '" + field + "' has the wrong type");
        }
        return ApiError.response(400, "the body is not valid JSON: " + ex.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException ex) {
        if (ex instanceof WebApplicationException w) {
            return webApplication(w);
        }
        LOG.error("request failed", ex);
        return ApiError.response(500, "internal error: " + ex.getClass().getSimpleName());
    }
}
