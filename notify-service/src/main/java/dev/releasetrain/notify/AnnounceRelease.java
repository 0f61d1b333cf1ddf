package dev.releasetrain.notify;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code notify.announce-release}: the release is announced to PostHog's users, in {@code #announcements} of the
 * community workspace (template {@code announce-release}, channel {@code announcements}), with the post's link
 * when there is a post (a patch has none: param {@code postUrl} empty).
 */
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

    @Override
    protected String workspace() {
        return SlackWorkspaces.COMMUNITY;
    }
}
