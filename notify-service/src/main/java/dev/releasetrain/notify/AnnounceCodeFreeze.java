package dev.releasetrain.notify;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code notify.announce-code-freeze}: heads-up in the team channel before the branch is cut: version, owner, freeze time, break-the-release session (template {@code announce-code-freeze}, channel {@code team}). */
@ApplicationScoped
public class AnnounceCodeFreeze extends Announcement {

    @Override
    public String stepId() {
        return "notify.announce-code-freeze";
    }

    @Override
    protected String template() {
        return "announce-code-freeze";
    }

    @Override
    protected String channelKey() {
        return "team";
    }
}
