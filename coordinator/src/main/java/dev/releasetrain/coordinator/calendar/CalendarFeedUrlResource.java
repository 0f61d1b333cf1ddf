package dev.releasetrain.coordinator.calendar;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import dev.releasetrain.coordinator.security.CurrentUser;
import dev.releasetrain.coordinator.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;

/**
 * Secret calendar feed URLs, for calendar apps (which cannot send a bearer token):
 * {@code POST /calendar/feed-url} gives the caller a new URL (replacing their earlier one),
 * {@code DELETE /calendar/feed-url} revokes it; the URL answers the feed ({@link SubscribedCalendarFeedResource}).
 * The secret appears only in the answer to the POST: the database keeps its digest ({@link CalendarFeedUrls}),
 * the access log leaves the feed's requests out ({@code quarkus.http.access-log.exclude-pattern}) and no message
 * repeats it.
 */
@Path("/calendar/feed-url")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@RolesAllowed(Roles.VIEWER)
public class CalendarFeedUrlResource {
    private static final Logger LOG = Logger.getLogger(CalendarFeedUrlResource.class);

    @Inject
    CalendarFeedUrls urls;
    @Inject
    CurrentUser user;
    @Inject
    CalendarConfig config;

    /** The answer to {@code POST /calendar/feed-url}. */
    public record FeedUrl(String url) {
    }

    @Operation(summary = "A secret calendar feed URL for the caller", description = "Replaces the caller's earlier URL; the secret is shown only in this answer.")
    @APIResponse(responseCode = "200", description = "The URL", content = @Content(schema = @Schema(implementation = FeedUrl.class)))
    @POST
    public FeedUrl issue(@Context UriInfo uri) {
        String person = user.name();
        String secret = urls.issue(person);
        LOG.infof("%s was given a new calendar feed URL (any earlier one no longer works)", person);
        // the configured address when calendar apps reach the coordinator through a proxy, else the request's
        String base = config.feedBaseUrl().orElse(uri.getBaseUri().toString());
        return new FeedUrl((base.endsWith("/") ? base : base + "/") + SubscribedCalendarFeedResource.PATH.substring(1)
                + "/" + secret + ".ics");
    }

    @Operation(summary = "Revoke the caller's calendar feed URL")
    @APIResponse(responseCode = "204", description = "The URL no longer works")
    @DELETE
    public Response revoke() {
        String person = user.name();
        if (urls.revoke(person)) {
            LOG.infof("%s revoked their calendar feed URL", person);
        }
        return Response.noContent().build();
    }
}
