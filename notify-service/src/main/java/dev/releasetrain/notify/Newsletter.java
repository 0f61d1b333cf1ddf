package dev.releasetrain.notify;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code notify.newsletter}: the newsletter is handed to marketing: a message with the post's link (template {@code newsletter}, channel {@code marketing}). */
@ApplicationScoped
public class Newsletter extends Announcement {

    @Override
    public String stepId() {
        return "notify.newsletter";
    }

    @Override
    protected String template() {
        return "newsletter";
    }

    @Override
    protected String channelKey() {
        return "marketing";
    }
}
