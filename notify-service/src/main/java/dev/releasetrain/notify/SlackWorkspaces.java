package dev.releasetrain.notify;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * The two Slack workspaces the service posts in, each through its own slack-api-client {@link Slack} and bot token
 * (secrets: never logged, never in a reason):
 * <ul>
 *   <li>{@code team}: PostHog's own workspace, {@code release-train.slack.api-url} and {@code release-train.slack.token}
 *       (env {@code RELEASE_TRAIN_SLACK_TOKEN}): the team, marketing and platform channels, the owner's DMs;</li>
 *   <li>{@code community}: the users' workspace, {@code release-train.slack.community.api-url} (default the team's)
 *       and {@code release-train.slack.community.token} (env {@code RELEASE_TRAIN_SLACK_COMMUNITY_TOKEN}):
 *       {@code #announcements}.</li>
 * </ul>
 * Stats are off (they would call {@code auth.test} in the background). Both clients are closed at shutdown.
 */
@ApplicationScoped
public class SlackWorkspaces {
    private static final Logger LOG = Logger.getLogger(SlackWorkspaces.class);
    public static final String TEAM = "team";
    public static final String COMMUNITY = "community";
    static final String DEFAULT_API_URL = "https://slack.com/api/";

    @ConfigProperty(name = "release-train.slack.api-url", defaultValue = DEFAULT_API_URL)
    String teamApiUrl;

    @ConfigProperty(name = "release-train.slack.token")
    String teamToken;

    @ConfigProperty(name = "release-train.slack.community.api-url")
    Optional<String> communityApiUrl;

    @ConfigProperty(name = "release-train.slack.community.token")
    String communityToken;

    private Slack teamClient;
    private Slack communityClient;
    private SlackMessages team;
    private SlackMessages community;

    @PostConstruct
    void open() {
        teamClient = client(teamApiUrl);
        communityClient = client(communityApiUrl.filter(u -> !u.isBlank()).orElse(teamApiUrl));
        team = new SlackMessages(TEAM, teamClient, teamToken.strip());
        community = new SlackMessages(COMMUNITY, communityClient, communityToken.strip());
    }

    /** The team's workspace. */
    public SlackMessages team() {
        return team;
    }

    /** The community workspace. */
    public SlackMessages community() {
        return community;
    }

    /** The workspace of that name ({@link #TEAM} or {@link #COMMUNITY}). */
    public SlackMessages named(String workspace) {
        return switch (workspace) {
            case TEAM -> team;
            case COMMUNITY -> community;
            default -> throw new IllegalArgumentException("no Slack workspace " + workspace + "; known: team, community");
        };
    }

    private static Slack client(String apiUrl) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
        config.setStatsEnabled(false);
        return Slack.getInstance(config);
    }

    @PreDestroy
    void close() {
        for (Slack slack : new Slack[] {teamClient, communityClient}) {
            try {
                if (slack != null) {
                    slack.close();
                }
            } catch (Exception e) {
                LOG.debugf("closing a Slack client: %s", e.getClass().getSimpleName());
            }
        }
    }
}
