package dev.releasetrain.coordinator.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Headers the API reads are checked before routing: a {@code Content-Type} or {@code Accept} that is not a
 * media type is refused with 400 naming the header (otherwise the framework's bare 400 names nothing).
 */
public class HeaderChecks {

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> mediaTypes(ContainerRequestContext request) {
        for (String header : new String[]{HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT}) {
            for (String value : request.getHeaders().getOrDefault(header, java.util.List.of())) {
                for (String part : header.equals(HttpHeaders.ACCEPT) ? value.split(",") : new String[]{value}) {
                    if (part.isBlank() && header.equals(HttpHeaders.ACCEPT)) {
                        continue;
                    }
                    try {
                        MediaType.valueOf(part.trim());
                    } catch (IllegalArgumentException e) {
                        return Optional.of(ApiError.response(400, "header '" + header + "' is not a media type like application/json, got '"
                                + InputRules.shown(value) + "'"));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
