package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.releasetrain.protocol.SemVer;
import dev.releasetrain.worker.StepFailure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the chart of {@code deploy.upgrade-playground} comes from, decided before Helm runs: a local chart
 * directory (its {@code Chart.yaml} names it), or chart {@code repo/name} of the Helm repository at
 * {@code release-train.deploy.chart-repository-url}: the step reads the repository's {@code index.yaml} itself,
 * picks the pinned {@code chart-version} (else the newest stable one) and hands Helm the absolute URL of that
 * package. Helm then needs no {@code helm repo add/update} (no shared repository cache to refresh) and the step
 * knows the exact {@code name-version} to compare with the deployed revision.
 *
 * @param reference what Helm installs: a directory or a package URL
 * @param chart     {@code name-version}, as Helm reports a release's chart
 */
record ChartSource(String reference, boolean local, String chart) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static ChartSource resolve(String chart, String repositoryUrl, Optional<String> pinnedVersion, HttpClient http)
            throws InterruptedException {
        Path dir = Path.of(chart);
        if (Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            try {
                JsonNode meta = YAML.readTree(dir.resolve("Chart.yaml").toFile());
                return new ChartSource(dir.toString(), true, meta.path("name").asText() + "-" + meta.path("version").asText());
            } catch (IOException e) {
                throw new StepFailure("release-train.deploy.chart: cannot read " + dir.resolve("Chart.yaml") + ": "
                        + e.getMessage(), false, e);
            }
        }
        if (chart.startsWith("/") || chart.startsWith(".")) {
            throw new StepFailure("release-train.deploy.chart: " + chart + " is not a chart directory (no Chart.yaml)", false);
        }
        if (repositoryUrl == null || repositoryUrl.isBlank()) {
            throw new StepFailure("release-train.deploy.chart-repository-url is not set (needed for chart " + chart + ")", false);
        }
        String name = name(chart);
        String base = repositoryUrl.endsWith("/") ? repositoryUrl : repositoryUrl + "/";
        String shown = Redaction.url(base);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(base + "index.yaml")).timeout(Duration.ofSeconds(60))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StepFailure("chart repository " + shown + " unreachable: " + e, true, e);
        } catch (IllegalArgumentException e) {
            throw new StepFailure("release-train.deploy.chart-repository-url is not a URL: " + shown, false);
        }
        int status = response.statusCode();
        if (status != 200) {
            throw new StepFailure("chart repository " + shown + " answered HTTP " + status + " for index.yaml",
                    status == 429 || status >= 500);
        }
        JsonNode entries;
        try {
            entries = YAML.readTree(response.body()).path("entries").path(name);
        } catch (IOException e) {
            throw new StepFailure("chart repository " + shown + " sent an unreadable index.yaml: " + e.getMessage(), false);
        }
        if (!entries.isArray() || entries.isEmpty()) {
            throw new StepFailure("chart " + name + " is not in the index of chart repository " + shown, false);
        }
        JsonNode pick = null;
        SemVer newest = null;
        for (JsonNode entry : entries) {
            String v = entry.path("version").asText();
            if (pinnedVersion.isPresent()) {
                if (v.equals(pinnedVersion.get()) || v.equals("v" + pinnedVersion.get())) {
                    pick = entry;
                    break;
                }
                continue;
            }
            Optional<SemVer> stable = SemVer.tryParseStable(v);
            if (stable.isPresent() && (newest == null || stable.get().compareTo(newest) > 0)) {
                pick = entry;
                newest = stable.get();
            }
        }
        if (pick == null) {
            throw new StepFailure(pinnedVersion.map(v -> "release-train.deploy.chart-version " + v + " of chart " + name
                    + " is not in chart repository " + shown).orElse("chart " + name + " has no stable version in "
                    + "chart repository " + shown), false);
        }
        String url = pick.path("urls").path(0).asText("");
        if (url.isBlank()) {
            throw new StepFailure("chart " + name + " " + pick.path("version").asText() + " has no URL in the index of "
                    + shown, false);
        }
        String absolute = URI.create(base).resolve(url).toString();
        return new ChartSource(absolute, false, name + "-" + pick.path("version").asText());
    }

    /** A local chart directory (it has a {@code Chart.yaml}). */
    static boolean isLocal(String chart) {
        return Files.isRegularFile(Path.of(chart).resolve("Chart.yaml"));
    }

    /** The chart's name in a {@code repo/name} reference. */
    static String name(String chart) {
        return chart.substring(chart.lastIndexOf('/') + 1);
    }
}
