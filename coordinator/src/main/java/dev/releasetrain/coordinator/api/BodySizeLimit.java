package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body larger than {@code quarkus.http.limits.max-body-size} is refused with 413 in the API's JSON shape,
 * before it is read, authenticated or parsed. This answers the requests that say their length
 * ({@code Content-Length}, as every client of the API does); a chunked body over the limit is cut off by
 * the HTTP layer itself, with a bare 413.
 */
@ApplicationScoped
public class BodySizeLimit {
    /** Before authentication and routing. */
    static final int PRIORITY = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    void register(@Observes Filters filters) {
        long max = maxBodySize.asLongValue();
        filters.register(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length.trim(), max)) {
                String body;
                try {
                    body = JSON.writeValueAsString(new ApiError(413, "Request Entity Too Large",
                            "the body is larger than " + max + " bytes, the most the API accepts"));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                rc.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close") // the body is not read: the connection is not reused
                        .end(body);
                return;
            }
            rc.next();
        }, PRIORITY);
    }

    private static boolean tooLong(String length, long max) {
        if (length.length() > 18) {
            return true;
        }
        try {
            return Long.parseLong(length) > max;
        } catch (NumberFormatException e) {
            return false; // a malformed length is the HTTP layer's to refuse
        }
    }
}
