package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal GitHub REST API stand-in, enough for github-api 1.330 ({@code GitHubBuilder().withEndpoint(url)}):
 * {@code GET /user}, {@code GET /users/{login}} (any login exists), {@code GET /rate_limit}, {@code GET /repos/{o}/{r}}, pulls (create, list with
 * state/head/base filters, get, edit title/body/state (close, reopen), requested reviewers, merge), issue labels (add, list), repository
 * labels, and the issue search ({@code GET /search/issues}, see {@link #searchIssues}). Pull requests merged
 * before the sandbox started can be seeded ({@link #addMergedPullRequest}), with their merge commits. Token in {@code Authorization: token ...} or {@code Bearer ...}; a wrong one is 401 "Bad credentials".
 * <p>
 * Merging a pull request of a repository with a seeded git remote merges for real, as GitHub does: its head branch
 * into its base branch in the bare repository ({@code merge_method} {@code merge}, the default: a merge commit;
 * {@code squash} or {@code rebase}: one commit on the base), and the pull request's {@code merge_commit_sha} is that
 * commit; heads that conflict with the base are 405 "Pull Request is not mergeable". A pull request whose head
 * branch is not in the git remote (made through the API alone) is only marked merged. {@link #mergePullRequest}
 * merges as a maintainer does from the UI; {@link #mergeFix} lands a labelled fix on the default branch.
 */
public final class GitHubStandIn extends HttpStandIn {

    public static final String OWNER = "PostHog";
    public static final String BOT_LOGIN = "posthog-release-bot";

    private static final Pattern REPO = Pattern.compile("^/repos/([^/]+)/([^/]+)(/.*)?$");
    private static final Pattern PULL = Pattern.compile("^/pulls/(\\d+)(/requested_reviewers|/merge)?$");
    private static final Pattern ISSUE_LABELS = Pattern.compile("^/issues/(\\d+)/labels$");
    private static final Pattern SEARCH_TERM = Pattern.compile("(\\S+?:\"[^\"]*\"|\"[^\"]*\"|\\S+)");

    /**
     * A pull request as stored. {@code author} is a login; {@code mergedAt} and {@code mergeCommitSha} are set
     * once merged (for a seeded pull request: its squash commit on the default branch).
     */
    public record PullRequest(String repository, int number, String title, String body, String head, String base,
                              String state, boolean merged, boolean draft, List<String> labels,
                              List<String> requestedReviewers, Instant createdAt, Instant updatedAt,
                              String author, Instant mergedAt, String mergeCommitSha) {

        public PullRequest(String repository, int number, String title, String body, String head, String base,
                           String state, boolean merged, boolean draft, List<String> labels,
                           List<String> requestedReviewers, Instant createdAt, Instant updatedAt) {
            this(repository, number, title, body, head, base, state, merged, draft, labels, requestedReviewers,
                    createdAt, updatedAt, BOT_LOGIN, merged ? updatedAt : null, null);
        }

        PullRequest with(String state, boolean merged, List<String> labels, List<String> reviewers) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant mergedTime = merged ? (mergedAt != null ? mergedAt : now) : null;
            String mergeSha = merged ? (mergeCommitSha != null ? mergeCommitSha : sha(repository + "#" + number)) : null;
            return new PullRequest(repository, number, title, body, head, base, state, merged, draft, labels, reviewers,
                    createdAt, now, author, mergedTime, mergeSha);
        }
    }

    private final String token;
    private final Function<String, String> cloneUrls;
    /** Repositories that live only here (files, branches, reviews), e.g. the website; sees requests first. */
    final GitHubHostedRepositories hosted = new GitHubHostedRepositories(this);
    private final Map<String, Long> repoIds = new LinkedHashMap<>();
    private final Map<String, List<PullRequest>> pulls = new LinkedHashMap<>();
    private final Map<String, Set<String>> repoLabels = new LinkedHashMap<>();

    /**
     * @param repositories repository names under {@link #OWNER} (e.g. posthog, charts-clickhouse, posthog.com)
     * @param cloneUrls    clone URL of a repository name, or null when it has no local git repository
     */
    GitHubStandIn(String token, List<String> repositories, Function<String, String> cloneUrls) {
        super("github");
        this.token = token;
        this.cloneUrls = cloneUrls;
        long id = 235_901_813L;
        for (String r : repositories) {
            repoIds.put(OWNER + "/" + r, id++);
            repoLabels.put(OWNER + "/" + r, new LinkedHashSet<>(List.of("bump minor", "bump patch", "highlight",
                    "bug", "enhancement")));
        }
    }

    /**
     * A stand-alone GitHub stand-in (no whole {@link Sandbox}) over repositories seeded by {@link GitFixtures#seed},
     * plus {@code otherRepositories} without git (e.g. {@code posthog.com}); started, with the merged pull requests of
     * {@code posthog} seeded. Close it when done.
     */
    public static GitHubStandIn start(String token, Map<String, java.nio.file.Path> seeded, String... otherRepositories) {
        List<String> names = new ArrayList<>(seeded.keySet());
        names.addAll(List.of(otherRepositories));
        GitHubStandIn github = new GitHubStandIn(token, names,
                repo -> seeded.containsKey(repo) ? GitFixtures.fileUrl(seeded.get(repo)) : null);
        github.start();
        if (seeded.containsKey(GitFixtures.POSTHOG)) {
            for (GitFixtures.MergedPullRequest pr : GitFixtures.mergedPullRequests(seeded.get(GitFixtures.POSTHOG),
                    GitFixtures.POSTHOG)) {
                github.addMergedPullRequest(OWNER + "/" + GitFixtures.POSTHOG, pr);
            }
        }
        return github;
    }

    /** Branches, files and reviews of the repositories that live only here (the website). */
    public GitHubHostedRepositories hosted() {
        return hosted;
    }

    public String token() {
        return token;
    }

    /** Pull requests of {@code owner/repo}, in creation order. */
    public synchronized List<PullRequest> pullRequests(String fullName) {
        return List.copyOf(pulls.getOrDefault(fullName, List.of()));
    }

    /**
     * Records a pull request that was squash-merged before the sandbox started (its commit is on the default
     * branch): found by number, by the pull request list and by the issue search.
     */
    public synchronized PullRequest addMergedPullRequest(String fullName, GitFixtures.MergedPullRequest merged) {
        requireRepository(fullName);
        Instant opened = merged.mergedAt().minus(1, ChronoUnit.DAYS);
        PullRequest pr = new PullRequest(fullName, merged.number(), merged.title(), "", "pr-" + merged.number(),
                GitFixtures.defaultBranch(fullName.substring(fullName.indexOf('/') + 1)), "closed", true, false,
                List.copyOf(merged.labels()), List.of(), opened, merged.mergedAt(), merged.author(), merged.mergedAt(),
                merged.mergeCommitSha());
        merged.labels().forEach(l -> addRepositoryLabel(fullName, l));
        pulls.computeIfAbsent(fullName, k -> new ArrayList<>()).add(pr);
        return pr;
    }

    /** Adds labels to a pull request, as a person would in the UI (e.g. {@code release-1.29.0} on a fix). */
    public synchronized PullRequest addLabels(String fullName, int number, String... labels) {
        PullRequest pr = find(fullName, number);
        if (pr == null) {
            throw new IllegalArgumentException("no pull request #" + number + " in " + fullName);
        }
        List<String> all = new ArrayList<>(pr.labels());
        for (String l : labels) {
            if (!all.contains(l)) {
                all.add(l);
            }
            addRepositoryLabel(fullName, l);
        }
        return replace(new PullRequest(pr.repository(), pr.number(), pr.title(), pr.body(), pr.head(), pr.base(),
                pr.state(), pr.merged(), pr.draft(), List.copyOf(all), pr.requestedReviewers(), pr.createdAt(),
                pr.updatedAt(), pr.author(), pr.mergedAt(), pr.mergeCommitSha()));
    }

    /**
     * Merges an open pull request as a maintainer does from the UI (PostHog squash-merges): on a repository with a
     * seeded git remote, one commit {@code <title> (#<n>)} with the head branch's changes lands on the base branch.
     * Returns the merged pull request, its {@code mergeCommitSha} that commit. Fails (IllegalStateException) when the
     * pull request is not open or its head conflicts with the base.
     */
    public PullRequest mergePullRequest(String fullName, int number) {
        requireRepository(fullName);
        if (bareRepository(fullName).isEmpty()) {
            throw new IllegalArgumentException(fullName + " has no seeded git remote (a hosted repository merges through "
                    + "the API, after its reviews)");
        }
        PullRequest merged = merge(fullName, number, true, "posthog-maintainer", null, null);
        if (merged == null) {
            throw new IllegalStateException("pull request #" + number + " of " + fullName + " is not mergeable: "
                    + find(fullName, number));
        }
        return merged;
    }

    /**
     * A fix that landed on the default branch of {@code fullName} (which has a seeded git remote) as a squash-merged
     * pull request, the way a developer's fix arrives during a release: one commit {@code <title> (#<n>)} writing
     * {@code path} with {@code content}, authored and committed at {@code mergedAt}, and a merged pull request with
     * these labels (e.g. {@code release-1.29.1}) and that merge time, found by number, the pull request list and
     * the issue search. Returns the pull request, its {@code mergeCommitSha} the new commit.
     */
    public synchronized PullRequest mergeFix(String fullName, String title, String path, String content, Instant mergedAt,
                                             String... labels) {
        requireRepository(fullName);
        Path bare = bareRepository(fullName)
                .orElseThrow(() -> new IllegalArgumentException(fullName + " has no seeded git remote"));
        String name = fullName.substring(fullName.indexOf('/') + 1);
        int number = nextNumber(pulls.computeIfAbsent(fullName, k -> new ArrayList<>()));
        PersonIdent developer = new PersonIdent("Dana Whitfield", "dana@posthog.com", mergedAt, ZoneOffset.UTC);
        String sha = BareRepositories.commitFile(bare, GitFixtures.defaultBranch(name), path, content,
                title + " (#" + number + ")", developer, developer);
        return addMergedPullRequest(fullName, new GitFixtures.MergedPullRequest(number, title, "danawhitfield",
                List.of(labels), mergedAt.truncatedTo(ChronoUnit.SECONDS), sha));
    }

    /**
     * Merges pull request {@code number} if it is open, as {@code merger}: in the git remote when the repository has
     * one and the head branch is there (else its state only). Null when it is not open or conflicts.
     */
    private synchronized PullRequest merge(String fullName, int number, boolean squash, String merger, String commitTitle,
                                           String commitMessage) {
        PullRequest pr = find(fullName, number);
        if (pr == null || pr.merged() || !pr.state().equals("open")) {
            return null;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String sha = sha(fullName + "#" + number);
        Optional<Path> bare = bareRepository(fullName);
        if (bare.isPresent() && BareRepositories.head(bare.get(), pr.head()).isPresent()) {
            PersonIdent github = new PersonIdent("GitHub", "noreply@github.com", now, ZoneOffset.UTC);
            String login = squash ? pr.author() : merger;
            PersonIdent author = new PersonIdent(login, login + "@users.noreply.github.com", now, ZoneOffset.UTC);
            String title = commitTitle != null ? commitTitle : squash ? pr.title() + " (#" + number + ")"
                    : "Merge pull request #" + number + " from " + OWNER + "/" + pr.head();
            String body = commitMessage != null ? commitMessage : squash ? "" : pr.title();
            Optional<String> merged = BareRepositories.merge(bare.get(), pr.base(), pr.head(), squash,
                    body.isBlank() ? title + "\n" : title + "\n\n" + body.strip() + "\n", author, github);
            if (merged.isEmpty()) {
                return null;
            }
            sha = merged.get();
        }
        return replace(new PullRequest(pr.repository(), pr.number(), pr.title(), pr.body(), pr.head(), pr.base(), "closed",
                true, pr.draft(), pr.labels(), pr.requestedReviewers(), pr.createdAt(), now, pr.author(), now, sha));
    }

    /** {@code PATCH .../pulls/{n}}: {@code title}, {@code body}, {@code state} ({@code closed}, or {@code open} again unless merged). */
    private synchronized PullRequest edit(PullRequest pr, JsonNode json) {
        String state = text(json, "state");
        if (state == null || pr.merged() || !List.of("open", "closed").contains(state)) {
            state = pr.state();
        }
        String title = text(json, "title");
        String body = text(json, "body");
        return replace(new PullRequest(pr.repository(), pr.number(), title != null ? title : pr.title(),
                body != null ? body : pr.body(), pr.head(), pr.base(), state, pr.merged(), pr.draft(), pr.labels(),
                pr.requestedReviewers(), pr.createdAt(), Instant.now().truncatedTo(ChronoUnit.SECONDS), pr.author(),
                pr.mergedAt(), pr.mergeCommitSha()));
    }

    /** The seeded bare repository behind a repository of the stand-in, if it has one. */
    private Optional<Path> bareRepository(String fullName) {
        String url = cloneUrls.apply(fullName.substring(fullName.indexOf('/') + 1));
        return url != null && url.startsWith("file://") ? Optional.of(Path.of(url.substring("file://".length())))
                : Optional.empty();
    }

    private static int nextNumber(List<PullRequest> existing) {
        return Math.max(6000, existing.stream().mapToInt(PullRequest::number).max().orElse(0)) + 1;
    }

    private void requireRepository(String fullName) {
        if (!repoIds.containsKey(fullName)) {
            throw new IllegalArgumentException("unknown repository " + fullName + "; known: " + repoIds.keySet());
        }
    }

    /** Adds a label to the repository's label set (e.g. {@code release-1.29.0}). */
    public synchronized void addRepositoryLabel(String fullName, String label) {
        repoLabels.computeIfAbsent(fullName, k -> new LinkedHashSet<>()).add(label);
    }

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        exchange.getResponseHeaders().set("X-GitHub-Request-Id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().set("X-RateLimit-Limit", "5000");
        exchange.getResponseHeaders().set("X-RateLimit-Remaining", "4999");
        exchange.getResponseHeaders().set("X-RateLimit-Reset", String.valueOf(Instant.now().plusSeconds(3600).getEpochSecond()));
        exchange.getResponseHeaders().set("X-RateLimit-Used", "1");
        exchange.getResponseHeaders().set("X-RateLimit-Resource", "core");
        byte[] body = Http.body(exchange);
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String given = auth == null ? null : auth.replaceFirst("(?i)^(token|bearer)\\s+", "").trim();
        if (!token.equals(given)) {
            Http.sendJson(exchange, 401, Map.of("message", "Bad credentials",
                    "documentation_url", "https://docs.github.com/rest"));
            return;
        }
        String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
        String override = exchange.getRequestHeaders().getFirst("X-HTTP-Method-Override");
        String method = override != null && exchange.getRequestMethod().equals("POST") ? override.toUpperCase()
                : exchange.getRequestMethod();
        if (path.equals("/user") && method.equals("GET")) {
            Http.sendJson(exchange, 200, user(BOT_LOGIN, 93_101_234L));
            return;
        }
        if (path.startsWith("/users/") && path.indexOf('/', 7) < 0 && method.equals("GET")) {
            String login = path.substring(7);
            Http.sendJson(exchange, 200, user(login, 40_000_000L + Math.abs(login.hashCode() % 1_000_000)));
            return;
        }
        if (path.equals("/rate_limit")) {
            Map<String, Object> core = Map.of("limit", 5000, "remaining", 4999, "used", 1,
                    "reset", Instant.now().plusSeconds(3600).getEpochSecond());
            Http.sendJson(exchange, 200, Map.of("resources", Map.of("core", core), "rate", core));
            return;
        }
        if (path.equals("/search/issues") && method.equals("GET")) {
            searchIssues(exchange, Http.query(exchange));
            return;
        }
        Matcher repo = REPO.matcher(path);
        if (!repo.matches()) {
            notFound(exchange);
            return;
        }
        String fullName = repo.group(1) + "/" + repo.group(2);
        Long repoId = repoIds.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(fullName))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (repoId == null) {
            notFound(exchange);
            return;
        }
        String canonical = repoIds.keySet().stream().filter(k -> k.equalsIgnoreCase(fullName)).findFirst().orElseThrow();
        String rest = repo.group(3) == null ? "" : repo.group(3);
        JsonNode json = body.length == 0 ? null : Http.JSON.readTree(body);
        if (hosted.handle(exchange, canonical, rest, method, json)) {
            return;
        }
        if (rest.isEmpty() && method.equals("GET")) {
            Http.sendJson(exchange, 200, repository(canonical));
        } else if (rest.equals("/labels") && method.equals("GET")) {
            List<Map<String, Object>> out = new ArrayList<>();
            synchronized (this) {
                for (String l : repoLabels.getOrDefault(canonical, Set.of())) {
                    out.add(label(canonical, l));
                }
            }
            Http.sendJson(exchange, 200, out);
        } else if (rest.equals("/pulls") && method.equals("POST")) {
            createPull(exchange, canonical, json);
        } else if (rest.equals("/pulls") && method.equals("GET")) {
            Map<String, String> q = Http.query(exchange);
            String state = q.getOrDefault("state", "open");
            List<Map<String, Object>> out = new ArrayList<>();
            for (PullRequest pr : pullRequests(canonical)) {
                boolean stateOk = state.equals("all") || pr.state().equals(state);
                boolean headOk = !q.containsKey("head") || q.get("head").equals(OWNER + ":" + pr.head())
                        || q.get("head").equals(pr.head());
                boolean baseOk = !q.containsKey("base") || q.get("base").equals(pr.base());
                if (stateOk && headOk && baseOk) {
                    out.add(0, pullJson(pr));
                }
            }
            Http.sendJson(exchange, 200, out);
        } else if (PULL.matcher(rest).matches()) {
            Matcher m = PULL.matcher(rest);
            m.matches();
            pullAction(exchange, canonical, Integer.parseInt(m.group(1)), m.group(2), method, json);
        } else if (ISSUE_LABELS.matcher(rest).matches()) {
            Matcher m = ISSUE_LABELS.matcher(rest);
            m.matches();
            issueLabels(exchange, canonical, Integer.parseInt(m.group(1)), method, json);
        } else {
            notFound(exchange);
        }
    }

    private void createPull(HttpExchange exchange, String repo, JsonNode json) throws IOException {
        String title = text(json, "title");
        String head = text(json, "head");
        String base = text(json, "base");
        if (title == null || head == null || base == null) {
            validationFailed(exchange, "PullRequest", "missing_field", "title, head and base are required");
            return;
        }
        if (head.contains(":")) {
            head = head.substring(head.indexOf(':') + 1);
        }
        PullRequest pr;
        synchronized (this) {
            List<PullRequest> list = pulls.computeIfAbsent(repo, k -> new ArrayList<>());
            for (PullRequest existing : list) {
                if (existing.state().equals("open") && existing.head().equals(head) && existing.base().equals(base)) {
                    validationFailed(exchange, "PullRequest", "custom",
                            "A pull request already exists for " + OWNER + ":" + head + ".");
                    return;
                }
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            int number = nextNumber(list);
            pr = new PullRequest(repo, number, title, text(json, "body"), head, base, "open", false,
                    json.path("draft").asBoolean(false), List.of(), List.of(), now, now);
            list.add(pr);
        }
        exchange.getResponseHeaders().set("Location", url() + "/repos/" + repo + "/pulls/" + pr.number());
        Http.sendJson(exchange, 201, pullJson(pr));
    }

    private void pullAction(HttpExchange exchange, String repo, int number, String action, String method, JsonNode json)
            throws IOException {
        PullRequest pr = find(repo, number);
        if (pr == null) {
            notFound(exchange);
            return;
        }
        if (action == null && method.equals("GET")) {
            Http.sendJson(exchange, 200, pullJson(pr));
        } else if (action == null && method.equals("PATCH")) {
            Http.sendJson(exchange, 200, pullJson(edit(pr, json)));
        } else if ("/requested_reviewers".equals(action) && method.equals("POST")) {
            List<String> reviewers = new ArrayList<>(pr.requestedReviewers());
            json.path("reviewers").forEach(r -> {
                if (!reviewers.contains(r.asText())) {
                    reviewers.add(r.asText());
                }
            });
            PullRequest updated = replace(pr.with(pr.state(), pr.merged(), pr.labels(), reviewers));
            Http.sendJson(exchange, 201, pullJson(updated));
        } else if ("/merge".equals(action) && method.equals("PUT")) {
            String mergeMethod = json == null ? "merge" : json.path("merge_method").asText("merge");
            PullRequest merged = merge(repo, number, !mergeMethod.equals("merge"), BOT_LOGIN, text(json, "commit_title"),
                    text(json, "commit_message"));
            if (merged == null) {
                Http.sendJson(exchange, 405, Map.of("message", "Pull Request is not mergeable",
                        "documentation_url", "https://docs.github.com/rest"));
                return;
            }
            Http.sendJson(exchange, 200, Map.of("sha", merged.mergeCommitSha(), "merged", true,
                    "message", "Pull Request successfully merged"));
        } else if ("/merge".equals(action) && method.equals("GET")) {
            Http.send(exchange, pr.merged() ? 204 : 404, null, null);
        } else {
            notFound(exchange);
        }
    }

    private void issueLabels(HttpExchange exchange, String repo, int number, String method, JsonNode json)
            throws IOException {
        PullRequest pr = find(repo, number);
        if (pr == null) {
            notFound(exchange);
            return;
        }
        if (method.equals("POST") || method.equals("PUT")) {
            JsonNode names = json == null ? null : (json.isArray() ? json : json.path("labels"));
            List<String> labels = new ArrayList<>(method.equals("PUT") ? List.of() : pr.labels());
            if (names != null) {
                names.forEach(n -> {
                    String l = n.isTextual() ? n.asText() : n.path("name").asText();
                    if (!labels.contains(l)) {
                        labels.add(l);
                    }
                    addRepositoryLabel(repo, l);
                });
            }
            pr = replace(pr.with(pr.state(), pr.merged(), labels, pr.requestedReviewers()));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (String l : pr.labels()) {
            out.add(label(repo, l));
        }
        Http.sendJson(exchange, 200, out);
    }

    private synchronized PullRequest find(String repo, int number) {
        for (PullRequest pr : pulls.getOrDefault(repo, List.of())) {
            if (pr.number() == number) {
                return pr;
            }
        }
        return null;
    }

    private synchronized PullRequest replace(PullRequest updated) {
        List<PullRequest> list = pulls.get(updated.repository());
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).number() == updated.number()) {
                list.set(i, updated);
            }
        }
        return updated;
    }

    // ---------------------------------------------------------------- JSON shapes

    private Map<String, Object> user(String login, long id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("login", login);
        m.put("id", id);
        m.put("node_id", "U_" + id);
        m.put("type", login.equals(OWNER) ? "Organization" : "User");
        m.put("site_admin", false);
        m.put("name", login.equals(OWNER) ? "PostHog" : "PostHog Release Bot");
        m.put("url", url() + "/users/" + login);
        m.put("html_url", "https://github.com/" + login);
        m.put("avatar_url", "https://avatars.githubusercontent.com/u/" + id);
        m.put("created_at", "2020-01-23T10:00:00Z");
        m.put("updated_at", "2021-09-01T10:00:00Z");
        return m;
    }

    private Map<String, Object> repository(String fullName) {
        String name = fullName.substring(fullName.indexOf('/') + 1);
        String clone = cloneUrls.apply(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", repoIds.get(fullName));
        m.put("node_id", "R_" + repoIds.get(fullName));
        m.put("name", name);
        m.put("full_name", fullName);
        m.put("private", false);
        m.put("owner", user(OWNER, 60_330_232L));
        m.put("html_url", "https://github.com/" + fullName);
        m.put("url", url() + "/repos/" + fullName);
        m.put("clone_url", clone != null ? clone : "https://github.com/" + fullName + ".git");
        m.put("git_url", "git://github.com/" + fullName + ".git");
        m.put("default_branch", GitFixtures.defaultBranch(name));
        m.put("fork", false);
        m.put("archived", false);
        m.put("visibility", "public");
        m.put("permissions", Map.of("admin", false, "maintain", false, "push", true, "triage", true, "pull", true));
        m.put("created_at", "2020-01-23T10:00:00Z");
        m.put("updated_at", "2021-09-23T15:47:26Z");
        m.put("pushed_at", "2021-09-23T15:47:26Z");
        return m;
    }

    private Map<String, Object> label(String repo, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Math.abs((long) (repo + name).hashCode()));
        m.put("node_id", "LA_" + Math.abs((repo + name).hashCode()));
        m.put("url", url() + "/repos/" + repo + "/labels/" + name.replace(" ", "%20"));
        m.put("name", name);
        m.put("color", "ededed");
        m.put("default", false);
        m.put("description", null);
        return m;
    }

    private Map<String, Object> pullJson(PullRequest pr) {
        String repoUrl = url() + "/repos/" + pr.repository();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", 700_000_000L + pr.number());
        m.put("node_id", "PR_" + pr.number());
        m.put("number", pr.number());
        m.put("url", repoUrl + "/pulls/" + pr.number());
        m.put("html_url", "https://github.com/" + pr.repository() + "/pull/" + pr.number());
        m.put("issue_url", repoUrl + "/issues/" + pr.number());
        m.put("state", pr.state());
        m.put("locked", false);
        m.put("title", pr.title());
        m.put("body", pr.body());
        m.put("user", author(pr));
        List<Map<String, Object>> labels = new ArrayList<>();
        for (String l : pr.labels()) {
            labels.add(label(pr.repository(), l));
        }
        m.put("labels", labels);
        List<Map<String, Object>> reviewers = new ArrayList<>();
        long rid = 50_000_000L;
        for (String r : pr.requestedReviewers()) {
            reviewers.add(user(r, rid++));
        }
        m.put("requested_reviewers", reviewers);
        m.put("created_at", pr.createdAt().toString());
        m.put("updated_at", pr.updatedAt().toString());
        m.put("closed_at", pr.state().equals("closed") ? pr.updatedAt().toString() : null);
        m.put("merged_at", pr.merged() ? mergedAt(pr).toString() : null);
        m.put("merge_commit_sha", pr.mergeCommitSha());
        m.put("merged", pr.merged());
        m.put("mergeable", pr.state().equals("open"));
        m.put("mergeable_state", pr.state().equals("open") ? "clean" : "unknown");
        m.put("draft", pr.draft());
        m.put("head", pointer(pr.repository(), pr.head()));
        m.put("base", pointer(pr.repository(), pr.base()));
        return m;
    }

    private Map<String, Object> author(PullRequest pr) {
        String login = pr.author() == null ? BOT_LOGIN : pr.author();
        return user(login, login.equals(BOT_LOGIN) ? 93_101_234L : 40_000_000L + Math.abs(login.hashCode() % 1_000_000));
    }

    private static Instant mergedAt(PullRequest pr) {
        return pr.mergedAt() != null ? pr.mergedAt() : pr.updatedAt();
    }

    /** A pull request in the shape of an issue, as the issue search returns it. */
    private Map<String, Object> issueJson(PullRequest pr) {
        String repoUrl = url() + "/repos/" + pr.repository();
        String html = "https://github.com/" + pr.repository() + "/pull/" + pr.number();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", repoUrl + "/issues/" + pr.number());
        m.put("repository_url", repoUrl);
        m.put("html_url", html);
        m.put("id", 800_000_000L + pr.number());
        m.put("node_id", "I_" + pr.number());
        m.put("number", pr.number());
        m.put("title", pr.title());
        m.put("user", author(pr));
        List<Map<String, Object>> labels = new ArrayList<>();
        for (String l : pr.labels()) {
            labels.add(label(pr.repository(), l));
        }
        m.put("labels", labels);
        m.put("state", pr.state());
        m.put("locked", false);
        m.put("comments", 0);
        m.put("created_at", pr.createdAt().toString());
        m.put("updated_at", pr.updatedAt().toString());
        m.put("closed_at", pr.state().equals("closed") ? pr.updatedAt().toString() : null);
        m.put("body", pr.body());
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("url", repoUrl + "/pulls/" + pr.number());
        link.put("html_url", html);
        link.put("diff_url", html + ".diff");
        link.put("patch_url", html + ".patch");
        link.put("merged_at", pr.merged() ? mergedAt(pr).toString() : null);
        m.put("pull_request", link);
        m.put("score", 1.0);
        return m;
    }

    /**
     * {@code GET /search/issues?q=...}: qualifiers {@code repo:}, {@code is:pr|issue|open|closed|merged|unmerged},
     * {@code label:} (each must match), {@code head:}, {@code base:}, {@code merged:} with {@code >}, {@code >=},
     * {@code <}, {@code <=}, a date or date-time, or a {@code from..to} range; other words match the title. An
     * unknown qualifier is a 422, as GitHub answers a malformed query. Newest first unless
     * {@code order=asc}; one page.
     */
    private void searchIssues(HttpExchange exchange, Map<String, String> query) throws IOException {
        String q = query.getOrDefault("q", "");
        List<String> terms = new ArrayList<>();
        Matcher t = SEARCH_TERM.matcher(q);
        while (t.find()) {
            terms.add(t.group(1));
        }
        List<PullRequest> candidates = new ArrayList<>();
        synchronized (this) {
            pulls.values().forEach(candidates::addAll);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (PullRequest pr : candidates) {
            Boolean match = Boolean.TRUE;
            for (String term : terms) {
                match = matches(pr, term);
                if (match == null) {
                    Http.sendJson(exchange, 422, Map.of("message", "Validation Failed", "errors",
                            List.of(Map.of("message", "unsupported search term: " + term, "resource", "Search",
                                    "field", "q", "code", "invalid")),
                            "documentation_url", "https://docs.github.com/v3/search/"));
                    return;
                }
                if (!match) {
                    break;
                }
            }
            if (match) {
                items.add(issueJson(pr));
            }
        }
        boolean ascending = "asc".equals(query.get("order"));
        items.sort((a, b) -> ascending ? Integer.compare((int) a.get("number"), (int) b.get("number"))
                : Integer.compare((int) b.get("number"), (int) a.get("number")));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("total_count", items.size());
        result.put("incomplete_results", false);
        result.put("items", items);
        Http.sendJson(exchange, 200, result);
    }

    /** Whether one search term matches; null when the term is not understood. */
    private Boolean matches(PullRequest pr, String term) {
        int colon = term.indexOf(':');
        if (colon < 0 || term.startsWith("\"")) {
            return pr.title().toLowerCase().contains(unquote(term).toLowerCase());
        }
        String key = term.substring(0, colon).toLowerCase();
        String value = unquote(term.substring(colon + 1));
        return switch (key) {
            case "repo" -> pr.repository().equalsIgnoreCase(value);
            case "is", "state" -> switch (value) {
                case "pr" -> true;
                case "issue" -> false;
                case "open" -> pr.state().equals("open");
                case "closed" -> pr.state().equals("closed");
                case "merged" -> pr.merged();
                case "unmerged" -> !pr.merged();
                default -> null;
            };
            case "type" -> value.equals("pr");
            case "label" -> pr.labels().stream().anyMatch(l -> l.equalsIgnoreCase(value));
            case "head" -> pr.head().equals(value);
            case "base" -> pr.base().equals(value);
            case "author" -> value.equals(pr.author());
            case "merged" -> pr.merged() && inRange(mergedAt(pr), value);
            default -> null;
        };
    }

    private static boolean inRange(Instant at, String range) {
        int dots = range.indexOf("..");
        if (dots >= 0) {
            String from = range.substring(0, dots);
            String to = range.substring(dots + 2);
            return (from.equals("*") || !at.isBefore(start(from))) && (to.equals("*") || at.isBefore(end(to)));
        }
        if (range.startsWith(">=")) {
            return !at.isBefore(start(range.substring(2)));
        } else if (range.startsWith(">")) {
            return !at.isBefore(end(range.substring(1)));
        } else if (range.startsWith("<=")) {
            return at.isBefore(end(range.substring(2)));
        } else if (range.startsWith("<")) {
            return at.isBefore(start(range.substring(1)));
        }
        return !at.isBefore(start(range)) && at.isBefore(end(range));
    }

    /** The first instant a date or date-time covers. */
    private static Instant start(String when) {
        if (when.length() == 10) {
            return java.time.LocalDate.parse(when).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        }
        return java.time.OffsetDateTime.parse(when).toInstant();
    }

    /** The first instant after a date (the next day) or a date-time (the next second). */
    private static Instant end(String when) {
        if (when.length() == 10) {
            return start(when).plus(1, ChronoUnit.DAYS);
        }
        return start(when).plusSeconds(1);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private Map<String, Object> pointer(String repo, String ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", OWNER + ":" + ref);
        m.put("ref", ref);
        m.put("sha", sha(repo + ":" + ref));
        m.put("user", user(OWNER, 60_330_232L));
        m.put("repo", repository(repo));
        return m;
    }

    private static String sha(String seed) {
        return Images.digest("sha", seed).substring("sha256:".length(), "sha256:".length() + 40);
    }

    private static String text(JsonNode json, String field) {
        if (json == null || !json.hasNonNull(field)) {
            return null;
        }
        return json.get(field).asText();
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        Http.sendJson(exchange, 404, Map.of("message", "Not Found", "documentation_url", "https://docs.github.com/rest"));
    }

    private static void validationFailed(HttpExchange exchange, String resource, String code, String message)
            throws IOException {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("resource", resource);
        err.put("code", code);
        err.put("message", message);
        Http.sendJson(exchange, 422, Map.of("message", "Validation Failed", "errors", List.of(err),
                "documentation_url", "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"));
    }

    @Override
    protected void writeFault(HttpExchange exchange, int status) throws IOException {
        Http.sendJson(exchange, status, Map.of("message", "Injected fault (" + status + ")",
                "documentation_url", "https://docs.github.com/rest"));
    }
}
