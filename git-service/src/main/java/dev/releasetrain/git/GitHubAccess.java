package dev.releasetrain.git;

import dev.releasetrain.worker.StepFailure;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * The token (a secret: never in outputs, reasons or logs) for HTTPS pushes and the GitHub API, and one
 * github-api client on {@code apiUrl}, built on first use.
 */
public final class GitHubAccess {
    private final String apiUrl;
    private final String token;
    private GitHub client;

    public GitHubAccess(String apiUrl, String token) {
        this.apiUrl = apiUrl;
        this.token = token == null || token.isBlank() ? null : token.strip();
    }

    public synchronized GitHub client() throws IOException {
        if (client == null) {
            GitHubBuilder builder = new GitHubBuilder().withEndpoint(apiUrl);
            if (token != null) {
                builder.withOAuthToken(token);
            }
            client = builder.build();
        }
        return client;
    }

    /** Credentials for HTTPS remotes (GitHub takes the token as the password); none for file:// remotes. */
    CredentialsProvider credentials() {
        return token == null ? null : new UsernamePasswordCredentialsProvider("x-access-token", token);
    }

    /**
     * A GitHub API error as a step failure: bad credentials, missing repository or pull request, validation
     * errors are for a person to fix; server errors, rate limits and network errors may pass.
     */
    static StepFailure failure(String what, IOException e) {
        if (e instanceof GHFileNotFoundException) {
            return new StepFailure(what + ": GitHub answered 404 Not Found (a wrong repository name, or the token "
                    + "cannot see it)", false, e);
        }
        if (e instanceof HttpException http) {
            int code = http.getResponseCode();
            String message = firstLine(http.getMessage());
            if (code == 401) {
                return new StepFailure(what + ": GitHub rejected the token (401 Bad credentials)", false, e);
            }
            boolean rateLimited = code == 429 || (code == 403 && message.toLowerCase().contains("rate limit"));
            boolean retryable = rateLimited || code >= 500 || code <= 0;
            return new StepFailure(what + ": GitHub answered " + code + " " + message, retryable, e);
        }
        if (e instanceof InterruptedIOException) {
            return new StepFailure(what + ": GitHub did not answer in time", true, e);
        }
        return new StepFailure(what + ": " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()), true, e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.strip();
        int nl = line.indexOf('\n');
        line = nl < 0 ? line : line.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
