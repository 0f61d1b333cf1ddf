package dev.releasetrain.notify;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code notify.announce-release}: the release is announced in the community channel, with the post's link (template {@code announce-release}, channel {@code announcements}). */
@ApplicationScoped
public class AnnounceRelease extends Announcement {

    @Override
    public String stepId() {
        return "notify.announce-release";
    }

    @Override
    protected String template() {
        return "announce-release";
    }

    @Override
    protected String channelKey() {
        return "announcements";
    }
}
