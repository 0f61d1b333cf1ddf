package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.sandbox.CloudFrontStandIn;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SlackStandIn;
import dev.releasetrain.sandbox.WebsiteFixtures;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * What the chaos run checks at its end, each read from the sandbox's own records, the release log in PostgreSQL or
 * the {@code release.events} topic, never from what the steps said they did. Each problem found is one line of
 * {@link #problems}; {@link #duplicateEffects} and {@link #lostEvents} count the two kinds the summary names.
 */
final class ChaosChecks {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<String> problems = new ArrayList<>();
    int duplicateEffects;
    int missingEffects;
    int lostEvents;
    int logFaults;
    int redelivered;

    /** Every check over the releases {@code versions}. */
    static ChaosChecks run(Sandbox sandbox, LocalInfra infra, List<String> versions) throws Exception {
        ChaosChecks c = new ChaosChecks();
        c.tags(sandbox, versions);
        c.pullRequests(sandbox, versions);
        c.slack(sandbox);
        c.invalidations(sandbox, versions);
        c.helmRevisions(sandbox);
        Set<String> logged = c.log(infra);
        c.topic(infra.kafkaBootstrapServers(), logged);
        return c;
    }

    private void duplicate(String what) {
        duplicateEffects++;
        problems.add("duplicate effect: " + what);
    }

    private void missing(String what) {
        missingEffects++;
        problems.add("missing effect: " + what);
    }

    private void tags(Sandbox sandbox, List<String> versions) {
        for (String v : versions) {
            String message = SandboxFacts.tagMessage(sandbox, dev.releasetrain.sandbox.GitFixtures.POSTHOG, v);
            if (!("Version " + v).equals(message)) {
                missing("tag " + v + " (annotated \"Version " + v + "\"): " + message);
            }
        }
    }

    /** One PR per head branch in every repository the releases open PRs in; each release's three are there. */
    private void pullRequests(Sandbox sandbox, List<String> versions) {
        Map<String, Integer> byHead = new TreeMap<>();
        for (String repo : List.of(Effects.APP, Effects.CHARTS, WebsiteFixtures.FULL_NAME)) {
            for (GitHubStandIn.PullRequest p : sandbox.github().pullRequests(repo)) {
                byHead.merge(repo + " " + p.head().replaceFirst("^.*:", ""), 1, Integer::sum);
            }
        }
        byHead.forEach((head, n) -> {
            if (n > 1) {
                duplicate(n + " PRs from " + head);
            }
        });
        for (String v : versions) {
            for (String head : List.of(Effects.APP + " sync-" + v, Effects.CHARTS + " bump-" + v,
                    WebsiteFixtures.FULL_NAME + " release-post-" + v)) {
                if (!byHead.containsKey(head)) {
                    missing("no PR from " + head);
                }
            }
        }
    }

    /** One Slack message per channel, step and release (the metadata the notify service puts on each message). */
    private void slack(Sandbox sandbox) {
        Set<String> channels = new HashSet<>(Sandbox.Options.defaults().slackChannels());
        channels.addAll(Sandbox.SLACK_COMMUNITY_CHANNELS);
        channels.add("U0ALICE");
        Map<String, Integer> seen = new TreeMap<>();
        for (String workspace : sandbox.slack().workspaces()) {
            for (String channel : channels) {
                for (SlackStandIn.Message m : sandbox.slack().messages(workspace, channel)) {
                    Map<String, Object> meta = m.metadataPayload();
                    String key = meta != null && meta.get("step") != null
                            ? meta.get("release") + " " + meta.get("step")
                            : "\"" + m.text() + "\"";
                    seen.merge(workspace + " #" + m.channelName() + ": " + key, 1, Integer::sum);
                }
            }
        }
        seen.forEach((key, n) -> {
            if (n > 1) {
                duplicate(n + " Slack messages in " + key);
            }
        });
    }

    private void invalidations(Sandbox sandbox, List<String> versions) {
        for (String v : versions) {
            List<CloudFrontStandIn.Invalidation> mine = sandbox.invalidations().stream()
                    .filter(i -> i.callerReference().contains("/" + v + "/")).toList();
            if (mine.size() > 1) {
                duplicate(mine.size() + " CloudFront invalidations for " + v);
            } else if (mine.isEmpty()) {
                missing("no CloudFront invalidation for " + v);
            }
        }
    }

    /**
     * One Helm revision per change of values: a revision (not a rollback) whose values equal those of the revision
     * just before it is a duplicate upgrade. The same values again later are a real change back (a release whose
     * check found the playground upgraded by another release since deploys its own values again).
     */
    private void helmRevisions(Sandbox sandbox) throws IOException {
        try (KubernetesClient k8s = sandbox.kubernetes().createClient()) {
            Map<String, TreeMap<Integer, JsonNode>> byRelease = new TreeMap<>();
            Set<String> rollbacks = new HashSet<>();
            for (Secret s : k8s.secrets().inAnyNamespace().withLabel("owner", "helm").list().getItems()) {
                String data = s.getData() == null ? null : s.getData().get("release");
                if (data == null) {
                    continue;
                }
                JsonNode release = decode(data);
                String name = release.path("name").asText();
                int version = release.path("version").asInt();
                byRelease.computeIfAbsent(name, n -> new TreeMap<>()).put(version, release.path("config"));
                if (release.path("info").path("description").asText().toLowerCase().contains("rollback")) {
                    rollbacks.add(name + "/" + version);
                }
            }
            byRelease.forEach((name, revisions) -> {
                JsonNode before = null;
                int beforeVersion = 0;
                for (Map.Entry<Integer, JsonNode> r : revisions.entrySet()) {
                    if (before != null && before.equals(r.getValue()) && !rollbacks.contains(name + "/" + r.getKey())) {
                        duplicate("Helm release " + name + ": revision " + r.getKey() + " has the values of revision "
                                + beforeVersion + " just before it");
                    }
                    before = r.getValue();
                    beforeVersion = r.getKey();
                }
            });
        }
    }

    private static JsonNode decode(String secretValue) throws IOException {
        byte[] helmString = Base64.getDecoder().decode(secretValue);
        byte[] raw = Base64.getDecoder().decode(new String(helmString, StandardCharsets.US_ASCII).strip());
        if (raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                raw = in.readAllBytes();
            }
        }
        return JSON.readTree(raw);
    }

    /** Each release's log: seqs 1..n, no gap, no duplicate; returns every event id of the log. */
    private Set<String> log(LocalInfra infra) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select release_id, count(*), count(distinct seq), min(seq), max(seq)"
                    + " from release_events group by release_id order by release_id")) {
                while (rs.next()) {
                    String release = rs.getString(1);
                    long n = rs.getLong(2);
                    long distinct = rs.getLong(3);
                    long min = rs.getLong(4);
                    long max = rs.getLong(5);
                    if (distinct != n) {
                        logFaults++;
                        problems.add("release " + release + ": " + (n - distinct) + " duplicate seqs in its log");
                    }
                    if (min != 1 || max != distinct) {
                        logFaults++;
                        problems.add("release " + release + ": its log has a gap (seqs " + min + ".." + max + ", " + distinct + " distinct)");
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("select event_id from release_events")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** Every event of the log on release.events, once after dropping redelivered ids; nothing else there. */
    private void topic(String bootstrap, Set<String> logged) {
        Map<String, Integer> onTopic = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = dev.releasetrain.launcher.bench.KafkaClients.consumer(bootstrap, null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Header id = r.headers().lastHeader(CloudEventCodec.H_ID);
                    if (id != null) {
                        onTopic.merge(new String(id.value(), StandardCharsets.UTF_8), 1, Integer::sum);
                    }
                }
            }
        }
        redelivered = onTopic.values().stream().mapToInt(n -> n - 1).sum();
        Set<String> lost = new HashSet<>(logged);
        lost.removeAll(onTopic.keySet());
        lostEvents = lost.size();
        if (!lost.isEmpty()) {
            problems.add(lost.size() + " events of the log never reached " + Topics.EVENTS + " (e.g. " + lost.iterator().next() + ")");
        }
        Set<String> extra = new HashSet<>(onTopic.keySet());
        extra.removeAll(logged);
        if (!extra.isEmpty()) {
            lostEvents += extra.size();
            problems.add(extra.size() + " events on " + Topics.EVENTS + " are not in the log (e.g. " + extra.iterator().next() + ")");
        }
    }
}
