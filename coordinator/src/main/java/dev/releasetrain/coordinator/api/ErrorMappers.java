package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.releasetrain.coordinator.live.EventStreams;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.TreeSet;

/**
 * Turns every failure into the API's JSON error shape, without leaking internals. 500 is left for faults of
 * the server itself: the database out of reach answers 503 with {@code Retry-After} ({@link DatabaseOutage}).
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException ex) {
        Response r = ex.getResponse();
        if (r.hasEntity() && r.getEntity() instanceof ApiError) {
            return r;
        }
        if (ex.getCause() instanceof JsonProcessingException json) {
            return badJson(json);
        }
        String message = ex.getMessage() == null ? r.getStatusInfo().getReasonPhrase() : ex.getMessage();
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
        if (ex instanceof UnrecognizedPropertyException u) {
            TreeSet<String> known = new TreeSet<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            return ApiError.response(400, "field '" + InputRules.shown(path(u.getPath())) + "' is not known"
                    + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")"));
        }
        if (ex instanceof MismatchedInputException m) {
            String field = path(m.getPath());
            return ApiError.response(400, field.isEmpty()
                    ? "the body must be a JSON object" + (m.getTargetType() == null ? "" : " (" + m.getTargetType().getSimpleName() + ")")
                    : "field '" + InputRules.shown(field) + "' has the wrong type");
        }
        return ApiError.response(400, "the body is not valid JSON: " + InputRules.shown(ex.getOriginalMessage()));
    }

    /** A JSON path as dotted names: {@code params.label}, {@code params[0]}. */
    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    @ServerExceptionMapper
    public Response tooManyStreams(EventStreams.TooManyStreams ex) {
        return Response.fromResponse(ApiError.response(429, ex.getMessage())).header("Retry-After", 10).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException ex) {
        if (ex instanceof WebApplicationException w) {
            return webApplication(w);
        }
        if (DatabaseOutage.causes(ex)) {
            LOG.warnf("request refused: the database is out of reach (%s)", DatabaseOutage.summary(ex));
            return DatabaseOutage.response();
        }
        LOG.error("request failed", ex);
        return ApiError.response(500, "internal error: " + ex.getClass().getSimpleName());
    }
}
