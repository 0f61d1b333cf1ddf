package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A Helm chart repository (what {@code https://posthog.github.io/charts-clickhouse/} serves) holding the sandbox
 * chart: {@code GET /index.yaml} (apiVersion v1, one entry {@code posthog} with its version, appVersion, sha256
 * digest and a relative URL) and {@code GET /posthog-VERSION.tgz}, the chart packaged as Helm does (a gzipped tar
 * whose entries sit under {@code posthog/}). The package is built once, deterministically (fixed times), at start.
 */
public final class ChartRepositoryStandIn extends HttpStandIn {

    private static final Pattern FIELD = Pattern.compile("(?m)^(name|version|appVersion|apiVersion|description):\\s*(.+)$");

    private final Path chartDir;
    private String chartName;
    private String chartVersion;
    private byte[] archive;
    private String index;

    ChartRepositoryStandIn(Path chartDir) {
        super("charts");
        this.chartDir = chartDir;
    }

    @Override
    void start() {
        try {
            String chartYaml = Files.readString(chartDir.resolve("Chart.yaml"));
            Map<String, String> meta = new java.util.LinkedHashMap<>();
            Matcher m = FIELD.matcher(chartYaml);
            while (m.find()) {
                meta.put(m.group(1), m.group(2).strip());
            }
            chartName = meta.get("name");
            chartVersion = meta.get("version");
            archive = packageChart(chartDir, chartName);
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
            index = """
                    apiVersion: v1
                    entries:
                      %s:
                        - apiVersion: %s
                          name: %s
                          version: %s
                          appVersion: %s
                          description: %s
                          type: application
                          created: "2026-01-05T10:00:00Z"
                          digest: %s
                          urls:
                            - %s
                    generated: "2026-01-05T10:00:00Z"
                    """.formatted(chartName, meta.get("apiVersion"), chartName, chartVersion, meta.get("appVersion"),
                    meta.get("description"), digest, archiveName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot package the sandbox chart", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        super.start();
    }

    /** The repository URL to configure ({@code http://127.0.0.1:P/}). */
    public String repositoryUrl() {
        return url() + "/";
    }

    /** {@code posthog-29.0.11.tgz}. */
    public String archiveName() {
        return chartName + "-" + chartVersion + ".tgz";
    }

    public String chartVersion() {
        return chartVersion;
    }

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        String path = exchange.getRequestURI().getPath();
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            Http.sendText(exchange, 405, "text/plain", "method not allowed");
        } else if (path.equals("/index.yaml")) {
            Http.sendText(exchange, 200, "application/x-yaml", index);
        } else if (path.equals("/" + archiveName())) {
            Http.send(exchange, 200, "application/gzip", archive);
        } else {
            Http.sendText(exchange, 404, "text/plain", "404 page not found");
        }
    }

    @Override
    protected void writeFault(HttpExchange exchange, int status) throws IOException {
        Http.sendText(exchange, status, "text/plain", "injected fault " + status);
    }

    /** A gzipped ustar archive of the chart directory, entries under {@code name/}, sorted, fixed mode and time. */
    static byte[] packageChart(Path dir, String name) throws IOException {
        List<Path> files;
        try (var walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (Path file : files) {
                String entry = name + "/" + dir.relativize(file).toString().replace('\\', '/');
                byte[] content = Files.readAllBytes(file);
                gz.write(tarHeader(entry, content.length));
                gz.write(content);
                int pad = (512 - content.length % 512) % 512;
                gz.write(new byte[pad]);
            }
            gz.write(new byte[1024]); // two empty blocks end the archive
        }
        return bytes.toByteArray();
    }

    private static byte[] tarHeader(String name, long size) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("chart file name too long for a plain tar header: " + name);
        }
        byte[] h = new byte[512];
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1767607200L); // 2026-01-05T10:00:00Z
        h[156] = '0';
        byte[] magic = "ustar\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String chk = String.format("%06o", sum);
        System.arraycopy(chk.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }
}
