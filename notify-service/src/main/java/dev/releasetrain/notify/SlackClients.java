package dev.releasetrain.notify;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one slack-api-client {@link Slack} of the service, its Web API methods under
 * {@code release-train.slack.api-url} (Slack itself by default, a stand-in in tests and the demo).
 * Stats are off: they would call {@code auth.test} in the background. Closed at shutdown.
 */
@ApplicationScoped
public class SlackClients {

    @ConfigProperty(name = "release-train.slack.api-url", defaultValue = "https://slack.com/api/")
    String apiUrl;

    @Produces
    @Singleton
    Slack slack() {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
        config.setStatsEnabled(false);
        return Slack.getInstance(config);
    }

    void close(@Disposes Slack slack) throws Exception {
        slack.close();
    }
}
