package dev.releasetrain.notify;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code notify.announce-freeze}: the team channel hears that the branch is cut, the playground upgraded, and when the break-the-release session is (template {@code announce-freeze}, channel {@code team}). */
@ApplicationScoped
public class AnnounceFreeze extends Announcement {

    @Override
    public String stepId() {
        return "notify.announce-freeze";
    }

    @Override
    protected String template() {
        return "announce-freeze";
    }

    @Override
    protected String channelKey() {
        return "team";
    }
}
