package dev.releasetrain.coordinator.security;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Test-only endpoint under an API path without any security annotation: the path permission still applies. */
@Path("/calendar/probe")
public class UnannotatedProbeResource {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String probe() {
        return "reached";
    }
}
