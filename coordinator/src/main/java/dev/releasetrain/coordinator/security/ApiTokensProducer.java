package dev.releasetrain.coordinator.security;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.List;

/** Reads the static tokens at start-up: a bad entry stops the application; none at all is one warning. */
@ApplicationScoped
public class ApiTokensProducer {
    private static final Logger LOG = Logger.getLogger(ApiTokensProducer.class);

    @Produces
    @Singleton
    @Startup
    ApiTokens apiTokens(AuthConfig config) {
        ApiTokens tokens = ApiTokens.parse(config.tokens().orElse(List.of()));
        if (tokens.isEmpty() && !oidcEnabled()) {
            LOG.warn("no API tokens configured (" + ApiTokens.KEY + "): every API call is refused with 401;"
                    + " set RELEASE_TRAIN_AUTH_TOKENS=name:role1+role2:token,... or switch on OIDC (quarkus.oidc.*)");
        } else {
            LOG.infof("%d API token(s) configured (%s)", tokens.size(), ApiTokens.KEY);
        }
        return tokens;
    }

    static boolean oidcEnabled() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class).orElse(false);
    }
}
