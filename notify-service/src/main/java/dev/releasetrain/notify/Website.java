package dev.releasetrain.notify;

import dev.releasetrain.worker.StepFailure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The website repository (where the release post goes) through github-api: the client is built on first use
 * with {@code release-train.github.api-url} and the token {@code release-train.github.token} (a secret: never in
 * outputs, reasons or logs). Also the settings of the post: path and branch ({@code {{version}}} /
 * {@code {{versionSlug}}} templates), reviewer, and the public site the repository is published as
 * ({@code site-url}): a post's public URL is derived from its path ({@link #postUrl}).
 */
@ApplicationScoped
public class Website {
    /** The folder of the repository the site is built from. */
    static final String CONTENT_DIR = "contents/";
    private static final Pattern PAGE = Pattern.compile("^" + Pattern.quote(CONTENT_DIR) + "(.+?)(?:/index)?\\.mdx?$");

    @ConfigProperty(name = "release-train.github.api-url", defaultValue = "https://api.github.com")
    String apiUrl;

    @ConfigProperty(name = "release-train.github.token")
    Optional<String> token;

    @ConfigProperty(name = "release-train.notify.website.repository")
    String repository;

    @ConfigProperty(name = "release-train.notify.website.path")
    String pathTemplate;

    @ConfigProperty(name = "release-train.notify.website.branch")
    String branchTemplate;

    @ConfigProperty(name = "release-train.notify.website.reviewer")
    String reviewer;

    @ConfigProperty(name = "release-train.notify.website.site-url", defaultValue = "https://posthog.com")
    String siteUrl;

    @ConfigProperty(name = "release-train.notify.website.app-repository-url")
    String appRepositoryUrl;

    private GitHub client;

    public synchronized GitHub client() throws IOException {
        if (client == null) {
            GitHubBuilder builder = new GitHubBuilder().withEndpoint(apiUrl);
            token.filter(t -> !t.isBlank()).ifPresent(t -> builder.withOAuthToken(t.strip()));
            client = builder.build();
        }
        return client;
    }

    public GHRepository repository() {
        try {
            return client().getRepository(repository);
        } catch (IOException e) {
            throw failure("reading repository " + repository, e);
        }
    }

    public String repositoryName() {
        return repository;
    }

    public String owner() {
        return repository.substring(0, repository.indexOf('/'));
    }

    public String path(String version) {
        return fill(pathTemplate, version);
    }

    public String branch(String version) {
        return fill(branchTemplate, version);
    }

    /**
     * The public URL of a page of the repository, as the site generator publishes it: the path under
     * {@code contents/} without its {@code .md}/{@code .mdx} extension, an {@code index} page at its folder's URL
     * ({@code contents/blog/posthog-array-1-29-0.md} -> {@code <site-url>/blog/posthog-array-1-29-0}). A path that
     * is not such a page fails the step, not retryable: the configured path is wrong.
     */
    public String postUrl(String path) {
        Matcher m = PAGE.matcher(path);
        if (!m.matches()) {
            throw new StepFailure("the release post's path " + path + " is no page of the website: the site publishes "
                    + "the markdown files under " + CONTENT_DIR + " (release-train.notify.website.path)", false);
        }
        return siteUrl.strip().replaceAll("/+$", "") + "/" + m.group(1);
    }

    public String reviewer() {
        return reviewer;
    }

    public String appRepositoryUrl() {
        return appRepositoryUrl;
    }

    private static String fill(String template, String version) {
        return MessageTemplates.render("website", template, Map.of("version", version, "versionSlug", version.replace('.', '-')));
    }

    /**
     * A GitHub API error as a step failure: bad credentials, a missing repository or pull request, validation
     * errors need a person; server errors, rate limits and network errors may pass.
     */
    static StepFailure failure(String what, IOException e) {
        if (e instanceof GHFileNotFoundException) {
            return new StepFailure(what + ": GitHub answered 404 Not Found (a wrong repository or number, or the token "
                    + "cannot see it)", false, e);
        }
        if (e instanceof HttpException http) {
            int code = http.getResponseCode();
            String message = ReleasePost.firstLine(String.valueOf(http.getMessage()));
            if (code == 401) {
                return new StepFailure(what + ": GitHub rejected the token (401 Bad credentials)", false, e);
            }
            boolean rateLimited = code == 429 || (code == 403 && message.toLowerCase().contains("rate limit"));
            return new StepFailure(what + ": GitHub answered " + code + " " + message, rateLimited || code >= 500 || code <= 0, e);
        }
        if (e instanceof InterruptedIOException) {
            return new StepFailure(what + ": GitHub did not answer in time", true, e);
        }
        return new StepFailure(what + ": " + e.getClass().getSimpleName() + ": " + ReleasePost.firstLine(e.getMessage()), true, e);
    }
}
