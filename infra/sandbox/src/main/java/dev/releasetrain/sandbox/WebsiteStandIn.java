package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public website (posthog.com) as its static site generator publishes it: every markdown page of the website
 * repository's default branch, as the GitHub stand-in hosts it right now, at the URL its path gives
 * ({@code contents/blog/posthog-array-1-29-0.md} -> {@code /blog/posthog-array-1-29-0}; an {@code index.md} is its
 * folder's page). {@code GET} (or {@code HEAD}) of a page answers 200 with an HTML page of the post (its title
 * and text); any other path 404 "Page not found". So a release post is live from the moment its pull request is
 * merged, and not before. Publishing is immediate here; a real site takes its build's time, which is why
 * notify-service polls.
 */
public final class WebsiteStandIn extends HttpStandIn {

    /** The folder of the repository the site is built from. */
    public static final String CONTENT_DIR = "contents/";
    private static final Pattern PAGE = Pattern.compile("^" + Pattern.quote(CONTENT_DIR) + "(.+?)(?:/index)?\\.mdx?$");
    private static final Pattern TITLE = Pattern.compile("(?m)^title:\\s*(.+)$");

    private final GitHubHostedRepositories hosted;
    private final String repository;
    private final String branch;

    WebsiteStandIn(GitHubHostedRepositories hosted, String repository, String branch) {
        super(Sandbox.WEBSITE);
        this.hosted = hosted;
        this.repository = repository;
        this.branch = branch;
    }

    /** The URL path of a file of the repository ({@code /blog/posthog-array-1-29-0}), or empty when it is no page. */
    public static Optional<String> urlPath(String repositoryPath) {
        Matcher m = PAGE.matcher(repositoryPath);
        return m.matches() ? Optional.of("/" + m.group(1)) : Optional.empty();
    }

    /** The pages published now: URL path -> the markdown of the file on the default branch. */
    public Map<String, String> pages() {
        Map<String, String> pages = new TreeMap<>();
        hosted.files(repository, branch).orElse(Map.of()).forEach((path, markdown) ->
                urlPath(path).ifPresent(url -> pages.put(url, markdown)));
        return pages;
    }

    /** The markdown published at a URL path ({@code /blog/...}, with or without a trailing slash), if any. */
    public Optional<String> page(String urlPath) {
        String normalized = urlPath.length() > 1 && urlPath.endsWith("/") ? urlPath.substring(0, urlPath.length() - 1) : urlPath;
        return Optional.ofNullable(pages().get(normalized));
    }

    /** The public URL of a file of the repository, whether it is published yet or not. */
    public String pageUrl(String repositoryPath) {
        return url() + urlPath(repositoryPath).orElseThrow(() -> new IllegalArgumentException(
                repositoryPath + " is no page of the site (a markdown file under " + CONTENT_DIR + ")"));
    }

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            Http.sendText(exchange, 405, "text/plain; charset=utf-8", "Method Not Allowed");
            return;
        }
        String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        Optional<String> markdown = page(path);
        if (markdown.isEmpty()) {
            Http.sendText(exchange, 404, "text/html; charset=utf-8",
                    html("Page not found", "<h1>Page not found</h1><p>Sorry, nothing lives at " + escape(path) + ".</p>"));
            return;
        }
        Matcher title = TITLE.matcher(markdown.get());
        String heading = title.find() ? title.group(1).strip() : path;
        Http.sendText(exchange, 200, "text/html; charset=utf-8",
                html(heading, "<article><h1>" + escape(heading) + "</h1><pre>" + escape(body(markdown.get())) + "</pre></article>"));
    }

    /** The markdown without its front matter. */
    private static String body(String markdown) {
        if (markdown.startsWith("---\n")) {
            int end = markdown.indexOf("\n---", 4);
            if (end > 0) {
                return markdown.substring(markdown.indexOf('\n', end + 1) + 1);
            }
        }
        return markdown;
    }

    private static String html(String title, String main) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + " - PostHog</title></head><body><main>" + main + "</main></body></html>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
