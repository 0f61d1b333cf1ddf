package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the GitHub stand-in for repositories that live only on GitHub (no local git remote), such as
 * the website repository {@code PostHog/posthog.com}: branches and files kept in memory, and pull request
 * reviews with a branch protection rule. {@link GitHubStandIn} hands every repository request to
 * {@link #handle} first; what this class does not serve falls through to the stand-in's own routes.
 * <ul>
 *   <li>{@code GET /repos/{o}/{r}/git/refs/heads/{branch}} (and {@code git/ref/...}), {@code POST .../git/refs}
 *       (422 "Reference already exists");</li>
 *   <li>{@code GET /repos/{o}/{r}/contents/{path}?ref=} (base64 content, blob sha), {@code PUT .../contents/{path}}
 *       (create or update on {@code branch}; an existing file needs its {@code sha}: 422 without it, 409 when stale);</li>
 *   <li>{@code GET /repos/{o}/{r}/pulls/{n}/reviews}, {@code POST .../reviews} (the token's user cannot approve
 *       its own pull request: 422, as on GitHub); {@link #review} adds one by anybody;</li>
 *   <li>{@code PUT .../pulls/{n}/merge}: refused (405) until {@code requiredApprovals} reviewers approve; then the
 *       head branch's files become a new commit on the base branch, whose sha the merge answer carries.</li>
 * </ul>
 */
public final class GitHubHostedRepositories {

    private static final Pattern REF = Pattern.compile("^/git/refs?/heads/(.+)$");
    private static final Pattern CONTENTS = Pattern.compile("^/contents/(.+)$");
    private static final Pattern REVIEWS = Pattern.compile("^/pulls/(\\d+)/reviews$");
    private static final Pattern MERGE = Pattern.compile("^/pulls/(\\d+)/merge$");

    /** One commit of a hosted repository: the whole tree as path -> content. */
    public record Commit(String sha, String parent, String message, Map<String, String> files, Instant time) {
    }

    /** A submitted review: APPROVED, CHANGES_REQUESTED or COMMENTED. */
    public record Review(long id, String user, String state, String body, String commitId, Instant submittedAt) {
    }

    private static final class Repo {
        final String defaultBranch;
        final int requiredApprovals;
        final Map<String, Commit> branches = new LinkedHashMap<>();
        final Map<String, Commit> commits = new LinkedHashMap<>();
        final Map<Integer, List<Review>> reviews = new LinkedHashMap<>();

        Repo(String defaultBranch, int requiredApprovals) {
            this.defaultBranch = defaultBranch;
            this.requiredApprovals = requiredApprovals;
        }
    }

    private final GitHubStandIn github;
    private final Map<String, Repo> repos = new LinkedHashMap<>();
    private final AtomicLong reviewIds = new AtomicLong(900_000_000L);

    GitHubHostedRepositories(GitHubStandIn github) {
        this.github = github;
    }

    /**
     * Makes {@code fullName} (already a repository of the stand-in) a hosted repository with these files on its
     * default branch; merging its pull requests needs {@code requiredApprovals} approving reviews.
     */
    public synchronized void host(String fullName, String defaultBranch, Map<String, String> files, int requiredApprovals) {
        Repo repo = new Repo(defaultBranch, requiredApprovals);
        Commit initial = commit(null, "Initial commit", new TreeMap<>(files));
        repo.commits.put(initial.sha(), initial);
        repo.branches.put(defaultBranch, initial);
        repos.put(fullName.toLowerCase(), repo);
    }

    /** The files of a branch, or empty when the repository or branch is unknown. */
    public synchronized Optional<Map<String, String>> files(String fullName, String branch) {
        Repo repo = repos.get(fullName.toLowerCase());
        Commit head = repo == null ? null : repo.branches.get(branch);
        return head == null ? Optional.empty() : Optional.of(Map.copyOf(head.files()));
    }

    /** The head commit of a branch. */
    public synchronized Optional<Commit> head(String fullName, String branch) {
        Repo repo = repos.get(fullName.toLowerCase());
        return repo == null ? Optional.empty() : Optional.ofNullable(repo.branches.get(branch));
    }

    /** {@code reviewer} approves pull request {@code number} of a hosted repository, as a maintainer would. */
    public Review approve(String fullName, int number, String reviewer) {
        return review(fullName, number, reviewer, "APPROVED", "Looks good to me");
    }

    /** Submits a review of pull request {@code number} as {@code user} (APPROVED, CHANGES_REQUESTED, COMMENTED). */
    public synchronized Review review(String fullName, int number, String user, String state, String body) {
        Repo repo = require(fullName);
        GitHubStandIn.PullRequest pr = pull(fullName, number)
                .orElseThrow(() -> new IllegalArgumentException("no pull request #" + number + " in " + fullName));
        Commit head = repo.branches.get(pr.head());
        Review review = new Review(reviewIds.incrementAndGet(), user, state, body == null ? "" : body,
                head == null ? null : head.sha(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        repo.reviews.computeIfAbsent(number, k -> new ArrayList<>()).add(review);
        return review;
    }

    /** Reviews of a pull request, oldest first. */
    public synchronized List<Review> reviews(String fullName, int number) {
        Repo repo = repos.get(fullName.toLowerCase());
        return repo == null ? List.of() : List.copyOf(repo.reviews.getOrDefault(number, List.of()));
    }

    private Repo require(String fullName) {
        Repo repo = repos.get(fullName.toLowerCase());
        if (repo == null) {
            throw new IllegalArgumentException("not a hosted repository: " + fullName + "; hosted: " + repos.keySet());
        }
        return repo;
    }

    private Optional<GitHubStandIn.PullRequest> pull(String fullName, int number) {
        return github.pullRequests(fullName).stream().filter(p -> p.number() == number).findFirst();
    }

    // ---------------------------------------------------------------- HTTP

    /**
     * Serves a request under {@code /repos/{fullName}}; {@code rest} is the path after it. Returns false when the
     * request is not one of these (or the repository is not hosted here), for {@link GitHubStandIn} to serve.
     */
    boolean handle(HttpExchange exchange, String fullName, String rest, String method, JsonNode json) throws IOException {
        Repo repo;
        synchronized (this) {
            repo = repos.get(fullName.toLowerCase());
        }
        if (repo == null) {
            return false;
        }
        Matcher m;
        if ((m = REF.matcher(rest)).matches() && method.equals("GET")) {
            getRef(exchange, fullName, repo, m.group(1));
        } else if (rest.equals("/git/refs") && method.equals("POST")) {
            createRef(exchange, fullName, repo, json);
        } else if ((m = CONTENTS.matcher(rest)).matches() && method.equals("GET")) {
            getContent(exchange, fullName, repo, m.group(1), Http.query(exchange).get("ref"));
        } else if ((m = CONTENTS.matcher(rest)).matches() && method.equals("PUT")) {
            putContent(exchange, fullName, repo, m.group(1), json);
        } else if ((m = REVIEWS.matcher(rest)).matches() && method.equals("GET")) {
            listReviews(exchange, fullName, Integer.parseInt(m.group(1)));
        } else if ((m = REVIEWS.matcher(rest)).matches() && method.equals("POST")) {
            createReview(exchange, fullName, Integer.parseInt(m.group(1)), json);
        } else if ((m = MERGE.matcher(rest)).matches() && method.equals("PUT")) {
            return !merge(exchange, fullName, repo, Integer.parseInt(m.group(1)));
        } else {
            return false;
        }
        return true;
    }

    private void getRef(HttpExchange exchange, String fullName, Repo repo, String branch) throws IOException {
        Commit head;
        synchronized (this) {
            head = repo.branches.get(branch);
        }
        if (head == null) {
            notFound(exchange);
            return;
        }
        Http.sendJson(exchange, 200, refJson(fullName, branch, head));
    }

    private void createRef(HttpExchange exchange, String fullName, Repo repo, JsonNode json) throws IOException {
        String ref = json == null ? null : json.path("ref").asText(null);
        String sha = json == null ? null : json.path("sha").asText(null);
        if (ref == null || sha == null || !ref.startsWith("refs/heads/")) {
            unprocessable(exchange, "Reference name must start with 'refs/heads/' and have a sha");
            return;
        }
        String branch = ref.substring("refs/heads/".length());
        Commit target;
        synchronized (this) {
            if (repo.branches.containsKey(branch)) {
                target = null;
            } else {
                target = repo.commits.get(sha);
                if (target != null) {
                    repo.branches.put(branch, target);
                }
            }
        }
        if (target == null) {
            unprocessable(exchange, repo.branches.containsKey(branch) ? "Reference already exists" : "Object does not exist");
            return;
        }
        Http.sendJson(exchange, 201, refJson(fullName, branch, target));
    }

    private void getContent(HttpExchange exchange, String fullName, Repo repo, String path, String ref) throws IOException {
        String branch = ref == null || ref.isEmpty() ? repo.defaultBranch : ref.replaceFirst("^refs/heads/", "");
        String content;
        synchronized (this) {
            Commit head = repo.branches.get(branch);
            if (head == null) {
                head = repo.commits.get(branch);
            }
            content = head == null ? null : head.files().get(path);
        }
        if (content == null) {
            notFound(exchange);
            return;
        }
        Http.sendJson(exchange, 200, contentJson(fullName, branch, path, content));
    }

    private void putContent(HttpExchange exchange, String fullName, Repo repo, String path, JsonNode json) throws IOException {
        if (json == null || !json.hasNonNull("message") || !json.hasNonNull("content")) {
            unprocessable(exchange, "message and content are required");
            return;
        }
        String branch = json.path("branch").asText(repo.defaultBranch);
        String content;
        try {
            content = new String(Base64.getMimeDecoder().decode(json.get("content").asText()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            unprocessable(exchange, "content is not valid Base64");
            return;
        }
        String givenSha = json.hasNonNull("sha") ? json.get("sha").asText() : null;
        Commit commit;
        boolean created;
        synchronized (this) {
            Commit head = repo.branches.get(branch);
            if (head == null) {
                notFoundMessage(exchange, "Branch " + branch + " not found");
                return;
            }
            String existing = head.files().get(path);
            if (existing != null && givenSha == null) {
                unprocessable(exchange, "\"sha\" wasn't supplied.");
                return;
            }
            if (existing != null && !blobSha(existing).equals(givenSha)) {
                Http.sendJson(exchange, 409, Map.of("message", path + " does not match " + givenSha,
                        "documentation_url", "https://docs.github.com/rest/repos/contents"));
                return;
            }
            Map<String, String> files = new TreeMap<>(head.files());
            files.put(path, content);
            commit = commit(head.sha(), json.get("message").asText(), files);
            repo.commits.put(commit.sha(), commit);
            repo.branches.put(branch, commit);
            created = existing == null;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("content", contentJson(fullName, branch, path, content));
        answer.put("commit", commitJson(fullName, commit));
        Http.sendJson(exchange, created ? 201 : 200, answer);
    }

    private void listReviews(HttpExchange exchange, String fullName, int number) throws IOException {
        if (pull(fullName, number).isEmpty()) {
            notFound(exchange);
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Review r : reviews(fullName, number)) {
            out.add(reviewJson(fullName, number, r));
        }
        Http.sendJson(exchange, 200, out);
    }

    private void createReview(HttpExchange exchange, String fullName, int number, JsonNode json) throws IOException {
        Optional<GitHubStandIn.PullRequest> pr = pull(fullName, number);
        if (pr.isEmpty()) {
            notFound(exchange);
            return;
        }
        String event = json == null ? "COMMENT" : json.path("event").asText("COMMENT");
        String state = switch (event) {
            case "APPROVE" -> "APPROVED";
            case "REQUEST_CHANGES" -> "CHANGES_REQUESTED";
            default -> "COMMENTED";
        };
        if (!state.equals("COMMENTED")) {
            // The token's user opened every pull request of the stand-in: GitHub refuses self-reviews.
            unprocessable(exchange, "Can not " + (state.equals("APPROVED") ? "approve" : "request changes on")
                    + " your own pull request");
            return;
        }
        Review review = review(fullName, number, GitHubStandIn.BOT_LOGIN, state, json == null ? null : json.path("body").asText(null));
        Http.sendJson(exchange, 200, reviewJson(fullName, number, review));
    }

    /**
     * Applies the branch protection rule and, when the merge may go ahead, the head's files to the base branch.
     * Returns false when it answered (refused); true to let the stand-in flip the pull request to merged.
     */
    private boolean merge(HttpExchange exchange, String fullName, Repo repo, int number) throws IOException {
        Optional<GitHubStandIn.PullRequest> found = pull(fullName, number);
        if (found.isEmpty() || found.get().merged() || !found.get().state().equals("open")) {
            return true; // 404 / 405 "not mergeable" from the stand-in
        }
        GitHubStandIn.PullRequest pr = found.get();
        synchronized (this) {
            long approvals = latestStates(repo.reviews.getOrDefault(number, List.of())).values().stream()
                    .filter("APPROVED"::equals).count();
            boolean changesRequested = latestStates(repo.reviews.getOrDefault(number, List.of())).containsValue("CHANGES_REQUESTED");
            if (changesRequested || approvals < repo.requiredApprovals) {
                Http.sendJson(exchange, 405, Map.of("message", changesRequested
                                ? "Changes must be made before merging"
                                : "At least " + repo.requiredApprovals + " approving review is required by reviewers with write access.",
                        "documentation_url", "https://docs.github.com/articles/about-protected-branches"));
                return false;
            }
            Commit head = repo.branches.get(pr.head());
            Commit base = repo.branches.get(pr.base());
            if (head == null || base == null) {
                Http.sendJson(exchange, 405, Map.of("message", "Pull Request is not mergeable",
                        "documentation_url", "https://docs.github.com/rest"));
                return false;
            }
            Map<String, String> files = new TreeMap<>(base.files());
            files.putAll(head.files());
            // The same sha the stand-in's merge answer reports: the squash commit on the base branch.
            Commit merged = new Commit(mergeSha(fullName, number), base.sha(), pr.title() + " (#" + number + ")", files,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS));
            repo.commits.put(merged.sha(), merged);
            repo.branches.put(pr.base(), merged);
        }
        return true;
    }

    /** Each reviewer's latest APPROVED / CHANGES_REQUESTED (comments do not change a review state). */
    private static Map<String, String> latestStates(List<Review> reviews) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (Review r : reviews) {
            if (!r.state().equals("COMMENTED")) {
                latest.put(r.user(), r.state());
            }
        }
        return latest;
    }

    // ---------------------------------------------------------------- JSON shapes

    private Map<String, Object> refJson(String fullName, String branch, Commit head) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("sha", head.sha());
        object.put("type", "commit");
        object.put("url", github.url() + "/repos/" + fullName + "/git/commits/" + head.sha());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ref", "refs/heads/" + branch);
        m.put("node_id", "REF_" + Integer.toHexString((fullName + branch).hashCode()));
        m.put("url", github.url() + "/repos/" + fullName + "/git/refs/heads/" + branch);
        m.put("object", object);
        return m;
    }

    private Map<String, Object> contentJson(String fullName, String branch, String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String sha = blobSha(content);
        String apiUrl = github.url() + "/repos/" + fullName + "/contents/" + path + "?ref=" + branch;
        String htmlUrl = "https://github.com/" + fullName + "/blob/" + branch + "/" + path;
        String gitUrl = github.url() + "/repos/" + fullName + "/git/blobs/" + sha;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "file");
        m.put("encoding", "base64");
        m.put("size", bytes.length);
        m.put("name", path.substring(path.lastIndexOf('/') + 1));
        m.put("path", path);
        m.put("content", Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes));
        m.put("sha", sha);
        m.put("url", apiUrl);
        m.put("git_url", gitUrl);
        m.put("html_url", htmlUrl);
        m.put("download_url", "https://raw.githubusercontent.com/" + fullName + "/" + branch + "/" + path);
        m.put("_links", Map.of("self", apiUrl, "git", gitUrl, "html", htmlUrl));
        return m;
    }

    private Map<String, Object> commitJson(String fullName, Commit c) {
        Map<String, Object> person = Map.of("name", "PostHog Release Bot", "email", "release-train@posthog.com",
                "date", c.time().toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha", c.sha());
        m.put("node_id", "C_" + c.sha().substring(0, 12));
        m.put("url", github.url() + "/repos/" + fullName + "/git/commits/" + c.sha());
        m.put("html_url", "https://github.com/" + fullName + "/commit/" + c.sha());
        m.put("author", person);
        m.put("committer", person);
        m.put("message", c.message());
        m.put("parents", c.parent() == null ? List.of() : List.of(Map.of("sha", c.parent(),
                "url", github.url() + "/repos/" + fullName + "/git/commits/" + c.parent())));
        return m;
    }

    private Map<String, Object> reviewJson(String fullName, int number, Review r) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("login", r.user());
        user.put("id", 40_000_000L + Math.abs(r.user().hashCode() % 1_000_000));
        user.put("type", "User");
        user.put("url", github.url() + "/users/" + r.user());
        user.put("html_url", "https://github.com/" + r.user());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("node_id", "PRR_" + r.id());
        m.put("user", user);
        m.put("body", r.body());
        m.put("state", r.state());
        m.put("html_url", "https://github.com/" + fullName + "/pull/" + number + "#pullrequestreview-" + r.id());
        m.put("pull_request_url", github.url() + "/repos/" + fullName + "/pulls/" + number);
        m.put("commit_id", r.commitId());
        m.put("submitted_at", r.submittedAt().toString());
        return m;
    }

    // ---------------------------------------------------------------- helpers

    private final AtomicLong commitSeq = new AtomicLong();

    private Commit commit(String parent, String message, Map<String, String> files) {
        String sha = sha1("commit " + commitSeq.incrementAndGet() + " " + parent + " " + message + " " + files.hashCode());
        return new Commit(sha, parent, message, Map.copyOf(files), Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** What {@link GitHubStandIn} reports as the merge commit of a pull request. */
    static String mergeSha(String fullName, int number) {
        return Images.digest("sha", fullName + "#" + number).substring("sha256:".length(), "sha256:".length() + 40);
    }

    /** Git's blob id of a file: SHA-1 of {@code blob <size>\0<content>}. */
    static String blobSha(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return sha1("blob " + bytes.length + "\0" + content);
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        notFoundMessage(exchange, "Not Found");
    }

    private static void notFoundMessage(HttpExchange exchange, String message) throws IOException {
        Http.sendJson(exchange, 404, Map.of("message", message, "documentation_url", "https://docs.github.com/rest"));
    }

    private static void unprocessable(HttpExchange exchange, String message) throws IOException {
        Http.sendJson(exchange, 422, Map.of("message", message, "documentation_url", "https://docs.github.com/rest"));
    }
}
