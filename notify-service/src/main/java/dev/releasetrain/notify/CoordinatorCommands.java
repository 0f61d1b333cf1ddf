package dev.releasetrain.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The commands a message gives a person to move a release on (retry a step, approve a gate): the coordinator's
 * REST call with curl, and the same with the {@code release-train} CLI, each a line to paste into a POSIX shell
 * as it is. Neither holds a token: curl sends {@code "Authorization: Bearer $RELEASE_TRAIN_TOKEN"}, which the
 * shell fills in, and the CLI reads {@code RELEASE_TRAIN_TOKEN} from its environment. The coordinator wants a
 * bearer token with the role {@code release-manager} to retry and {@code approver} to approve.
 *
 * <p>Every word that the shell could split or expand is single-quoted, and the step or gate is percent-encoded in
 * the URL. In a Slack message each command is a preformatted block ({@link #block}); the sandbox's
 * {@code SlackStandIn.codeBlocks} takes them back out of a message's text, as a person copying them would.
 */
public final class CoordinatorCommands {
    /** The environment variable the commands read the coordinator token from. */
    public static final String TOKEN_VARIABLE = "RELEASE_TRAIN_TOKEN";
    /** The environment variable the CLI reads the coordinator's URL from. */
    public static final String URL_VARIABLE = "RELEASE_TRAIN_URL";
    /** The CLI, as run from a checkout of Release Train. */
    public static final String CLI = "./release-train";

    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9@%_+=:,./-]+");

    private final String coordinatorUrl;

    /** Commands against the coordinator at this URL (its REST API's root, e.g. {@code https://release-train.posthog.net}). */
    public CoordinatorCommands(String coordinatorUrl) {
        this.coordinatorUrl = coordinatorUrl.strip().replaceAll("/+$", "");
    }

    /** {@code curl ... -d '{"reason":"..."}' <coordinator>/releases/<v>/steps/<step>/retry}: a new attempt of the step. */
    public String retryCurl(String version, String step) {
        return curl("{\"reason\":\"...\"}", releaseUrl(version) + "/steps/" + pathSegment(step) + "/retry");
    }

    /** {@code RELEASE_TRAIN_URL=<coordinator> ./release-train retry <v> <step>}. */
    public String retryCli(String version, String step) {
        return cli("retry", version, step);
    }

    /** {@code curl ... -d '{"note":"..."}' <coordinator>/releases/<v>/gates/<gate>/approve}. */
    public String approveCurl(String version, String gate) {
        return curl("{\"note\":\"...\"}", releaseUrl(version) + "/gates/" + pathSegment(gate) + "/approve");
    }

    /** {@code RELEASE_TRAIN_URL=<coordinator> ./release-train approve <v> <gate>}. */
    public String approveCli(String version, String gate) {
        return cli("approve", version, gate);
    }

    /**
     * The step on the release's page in the web console (served by the coordinator at its root):
     * {@code <coordinator>/release.html?version=<v>#step-<step>}; a person signs in there and retries or approves.
     */
    public String consoleLink(String version, String stepOrGate) {
        return coordinatorUrl + "/release.html?version=" + pathSegment(version) + "#step-" + pathSegment(stepOrGate);
    }

    /** A Slack link ({@code <url|text>}), {@code &}, {@code <} and {@code >} escaped as Slack's text wants them. */
    public static String slackLink(String url, String text) {
        return "<" + slackEscape(url) + "|" + slackEscape(text) + ">";
    }

    private static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private String releaseUrl(String version) {
        return coordinatorUrl + "/releases/" + pathSegment(version);
    }

    private static String curl(String json, String url) {
        return "curl -fsS -X POST -H \"Authorization: Bearer $" + TOKEN_VARIABLE + "\" -H 'Content-Type: application/json' -d "
                + shellWord(json) + " " + shellWord(url);
    }

    private String cli(String command, String version, String stepOrGate) {
        return URL_VARIABLE + "=" + shellWord(coordinatorUrl) + " " + CLI + " " + command + " " + shellWord(version) + " "
                + shellWord(stepOrGate);
    }

    /** A command as a Slack preformatted block: {@code &}, {@code <} and {@code >} escaped as Slack's text wants them. */
    public static String block(String command) {
        return "```" + slackEscape(command) + "```";
    }

    /** One shell word: as it is when nothing in it is special to the shell, else single-quoted. */
    static String shellWord(String s) {
        if (SAFE_WORD.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** One path segment of a URL, percent-encoded (a space as %20, not +). */
    static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
