package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CloudFront stand-in: the REST/XML API (version 2020-05-31) that aws-sdk-java-v2's {@code cloudfront}
 * client speaks, for one configured distribution.
 * <ul>
 *   <li>{@code GET /2020-05-31/distribution/{id}} (GetDistribution, with ETag)</li>
 *   <li>{@code GET /2020-05-31/distribution/{id}/config} (GetDistributionConfig)</li>
 *   <li>{@code POST /2020-05-31/distribution/{id}/invalidation} (CreateInvalidation, 201 + Location;
 *       the same CallerReference with the same paths returns the existing invalidation, with other
 *       paths it fails with 409 InvalidationBatchAlreadyExists, like CloudFront's other *AlreadyExists errors)</li>
 *   <li>{@code GET /2020-05-31/distribution/{id}/invalidation/{iid}} (GetInvalidation: InProgress, then
 *       Completed once the configured delay has passed)</li>
 *   <li>{@code GET /2020-05-31/distribution/{id}/invalidation} (ListInvalidations, newest first)</li>
 * </ul>
 * Errors use AWS's {@code <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>}.
 * Requests must carry a SigV4 {@code Authorization} header (not verified).
 */
public final class CloudFrontStandIn extends HttpStandIn {

    public static final String API_VERSION = "2020-05-31";
    static final String NS = "http://cloudfront.amazonaws.com/doc/" + API_VERSION + "/";
    private static final Pattern PATH = Pattern.compile(
            "^/" + API_VERSION + "/distribution/([^/]+)(/config|/invalidation(?:/([^/]+))?)?/?$");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
    private static final String ACCOUNT = "123456789012";

    /** One invalidation batch. */
    public record Invalidation(String id, String distributionId, String callerReference, List<String> paths,
                               Instant createTime, Instant completesAt) {
        public String status(Instant now) {
            return now.isBefore(completesAt) ? "InProgress" : "Completed";
        }

        public String status() {
            return status(Instant.now());
        }
    }

    private final String distributionId;
    private final String domainName;
    private final Instant lastModified;
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();
    private final List<Invalidation> invalidations = new ArrayList<>();
    private volatile Duration invalidationDelay;

    CloudFrontStandIn(String distributionId, Duration invalidationDelay) {
        super("cloudfront");
        this.distributionId = distributionId;
        this.domainName = "d" + distributionId.toLowerCase().replaceAll("[^a-z0-9]", "") + ".cloudfront.net";
        this.lastModified = Instant.parse("2021-06-14T09:12:44.512Z");
        this.invalidationDelay = invalidationDelay;
    }

    public String distributionId() {
        return distributionId;
    }

    public String domainName() {
        return domainName;
    }

    public String arn() {
        return "arn:aws:cloudfront::" + ACCOUNT + ":distribution/" + distributionId;
    }

    public String etag() {
        return "E3UN6WX5RRO2AG";
    }

    /** How long a new invalidation stays InProgress. */
    public void invalidationDelay(Duration delay) {
        this.invalidationDelay = delay;
    }

    public Duration invalidationDelay() {
        return invalidationDelay;
    }

    /** All invalidations created so far, oldest first. */
    public synchronized List<Invalidation> invalidations() {
        return List.copyOf(invalidations);
    }

    // ---------------------------------------------------------------- HTTP

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        byte[] body = Http.body(exchange);
        exchange.getResponseHeaders().set("x-amz-request-id", UUID.randomUUID().toString());
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256")) {
            error(exchange, 403, "Sender", "MissingAuthenticationToken", "Missing Authentication Token");
            return;
        }
        Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
        if (!m.matches()) {
            error(exchange, 404, "Sender", "InvalidURI", "Could not parse the specified URI.");
            return;
        }
        String id = m.group(1);
        String sub = m.group(2);
        String invalidationId = m.group(3);
        String method = exchange.getRequestMethod();
        if (!distributionId.equals(id)) {
            error(exchange, 404, "Sender", "NoSuchDistribution", "The specified distribution does not exist.");
            return;
        }
        if (sub == null && method.equals("GET")) {
            exchange.getResponseHeaders().set("ETag", etag());
            xml(exchange, 200, distributionXml());
        } else if ("/config".equals(sub) && method.equals("GET")) {
            exchange.getResponseHeaders().set("ETag", etag());
            xml(exchange, 200, distributionConfigXml(true));
        } else if ("/invalidation".equals(sub) && method.equals("POST")) {
            createInvalidation(exchange, body);
        } else if ("/invalidation".equals(sub) && method.equals("GET")) {
            listInvalidations(exchange);
        } else if (invalidationId != null && method.equals("GET")) {
            Invalidation found = find(invalidationId);
            if (found == null) {
                error(exchange, 404, "Sender", "NoSuchInvalidation", "The specified invalidation does not exist.");
            } else {
                xml(exchange, 200, invalidationXml(found, true));
            }
        } else {
            error(exchange, 405, "Sender", "MethodNotAllowed", "The specified method is not allowed against this resource.");
        }
    }

    @Override
    protected void writeFault(HttpExchange exchange, int status) throws IOException {
        String code = switch (status) {
            case 400 -> "InvalidArgument";
            case 403 -> "AccessDenied";
            case 429 -> "Throttling";
            case 503 -> "ServiceUnavailable";
            default -> "InternalError";
        };
        exchange.getResponseHeaders().set("x-amz-request-id", UUID.randomUUID().toString());
        error(exchange, status, status >= 500 ? "Receiver" : "Sender", code, "Injected fault (" + status + ")");
    }

    private void createInvalidation(HttpExchange exchange, byte[] body) throws IOException {
        String callerReference;
        List<String> paths = new ArrayList<>();
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
            Element root = doc.getDocumentElement();
            if (!"InvalidationBatch".equals(root.getLocalName())) {
                throw new IllegalArgumentException("root element must be InvalidationBatch");
            }
            callerReference = text(root, "CallerReference");
            NodeList pathNodes = root.getElementsByTagNameNS("*", "Path");
            for (int i = 0; i < pathNodes.getLength(); i++) {
                paths.add(pathNodes.item(i).getTextContent().trim());
            }
            String quantity = text(root, "Quantity");
            if (quantity != null && Integer.parseInt(quantity) != paths.size()) {
                error(exchange, 400, "Sender", "InconsistentQuantities",
                        "The value of Quantity and the size of Items don't match.");
                return;
            }
        } catch (Exception e) {
            error(exchange, 400, "Sender", "MalformedInput", "Could not parse the request body: " + e.getMessage());
            return;
        }
        if (callerReference == null || callerReference.isEmpty()) {
            error(exchange, 400, "Sender", "InvalidArgument", "CallerReference is required.");
            return;
        }
        if (paths.isEmpty()) {
            error(exchange, 400, "Sender", "InvalidArgument", "Paths must contain at least one path.");
            return;
        }
        for (String p : paths) {
            if (!p.startsWith("/")) {
                error(exchange, 400, "Sender", "InvalidArgument", "Your request contains one or more invalid invalidation paths.");
                return;
            }
        }
        Invalidation inv;
        synchronized (this) {
            Invalidation existing = null;
            for (Invalidation i : invalidations) {
                if (i.callerReference().equals(callerReference)) {
                    existing = i;
                }
            }
            if (existing != null && !existing.paths().equals(paths)) {
                error(exchange, 409, "Sender", "InvalidationBatchAlreadyExists",
                        "The CallerReference " + callerReference + " was already used for a different invalidation batch.");
                return;
            }
            if (existing != null) {
                inv = existing;
            } else {
                Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                inv = new Invalidation(newInvalidationId(), distributionId, callerReference, List.copyOf(paths),
                        now, now.plus(invalidationDelay));
                invalidations.add(inv);
            }
        }
        exchange.getResponseHeaders().set("Location", "https://cloudfront.amazonaws.com/" + API_VERSION
                + "/distribution/" + distributionId + "/invalidation/" + inv.id());
        xml(exchange, 201, invalidationXml(inv, true));
    }

    private void listInvalidations(HttpExchange exchange) throws IOException {
        Map<String, String> q = Http.query(exchange);
        String marker = q.getOrDefault("Marker", "");
        int maxItems = 100;
        if (q.containsKey("MaxItems")) {
            try {
                maxItems = Integer.parseInt(q.get("MaxItems"));
            } catch (NumberFormatException e) {
                error(exchange, 400, "Sender", "InvalidArgument", "MaxItems must be an integer.");
                return;
            }
        }
        List<Invalidation> newestFirst = new ArrayList<>(invalidations());
        java.util.Collections.reverse(newestFirst);
        int start = 0;
        if (!marker.isEmpty()) {
            for (int i = 0; i < newestFirst.size(); i++) {
                if (newestFirst.get(i).id().equals(marker)) {
                    start = i + 1;
                }
            }
        }
        int end = Math.min(newestFirst.size(), start + Math.max(maxItems, 0));
        List<Invalidation> page = newestFirst.subList(Math.min(start, end), end);
        boolean truncated = end < newestFirst.size();
        StringBuilder x = new StringBuilder();
        x.append("<InvalidationList xmlns=\"").append(NS).append("\">");
        el(x, "Marker", marker);
        if (truncated && !page.isEmpty()) {
            el(x, "NextMarker", page.get(page.size() - 1).id());
        }
        el(x, "MaxItems", String.valueOf(maxItems));
        el(x, "IsTruncated", String.valueOf(truncated));
        el(x, "Quantity", String.valueOf(page.size()));
        if (!page.isEmpty()) {
            Instant now = clock.instant();
            x.append("<Items>");
            for (Invalidation i : page) {
                x.append("<InvalidationSummary>");
                el(x, "Id", i.id());
                el(x, "CreateTime", ISO.format(i.createTime()));
                el(x, "Status", i.status(now));
                x.append("</InvalidationSummary>");
            }
            x.append("</Items>");
        }
        x.append("</InvalidationList>");
        xml(exchange, 200, x.toString());
    }

    private synchronized Invalidation find(String id) {
        for (Invalidation i : invalidations) {
            if (i.id().equals(id)) {
                return i;
            }
        }
        return null;
    }

    private String newInvalidationId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder b = new StringBuilder("I");
        for (int i = 0; i < 13; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- XML documents

    private String invalidationXml(Invalidation inv, boolean root) {
        StringBuilder x = new StringBuilder();
        x.append("<Invalidation").append(root ? " xmlns=\"" + NS + "\"" : "").append(">");
        el(x, "Id", inv.id());
        el(x, "Status", inv.status(clock.instant()));
        el(x, "CreateTime", ISO.format(inv.createTime()));
        x.append("<InvalidationBatch><Paths>");
        el(x, "Quantity", String.valueOf(inv.paths().size()));
        x.append("<Items>");
        for (String p : inv.paths()) {
            el(x, "Path", p);
        }
        x.append("</Items></Paths>");
        el(x, "CallerReference", inv.callerReference());
        x.append("</InvalidationBatch></Invalidation>");
        return x.toString();
    }

    private String distributionXml() {
        long inProgress;
        synchronized (this) {
            Instant now = clock.instant();
            inProgress = invalidations.stream().filter(i -> i.status(now).equals("InProgress")).count();
        }
        StringBuilder x = new StringBuilder();
        x.append("<Distribution xmlns=\"").append(NS).append("\">");
        el(x, "Id", distributionId);
        el(x, "ARN", arn());
        el(x, "Status", "Deployed");
        el(x, "LastModifiedTime", ISO.format(lastModified));
        el(x, "InProgressInvalidationBatches", String.valueOf(inProgress));
        el(x, "DomainName", domainName);
        x.append("<ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>");
        x.append("<ActiveTrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedKeyGroups>");
        x.append(distributionConfigXml(false));
        x.append("</Distribution>");
        return x.toString();
    }

    private String distributionConfigXml(boolean root) {
        String origin = "posthog-update-service.s3.amazonaws.com";
        String originId = "S3-posthog-update-service";
        StringBuilder x = new StringBuilder();
        x.append("<DistributionConfig").append(root ? " xmlns=\"" + NS + "\"" : "").append(">");
        el(x, "CallerReference", "release-train-sandbox-2021-06-14");
        x.append("<Aliases><Quantity>0</Quantity></Aliases>");
        el(x, "DefaultRootObject", "");
        x.append("<Origins><Quantity>1</Quantity><Items><Origin>");
        el(x, "Id", originId);
        el(x, "DomainName", origin);
        el(x, "OriginPath", "");
        x.append("<CustomHeaders><Quantity>0</Quantity></CustomHeaders>");
        x.append("<S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>");
        x.append("<ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout>");
        x.append("</Origin></Items></Origins>");
        x.append("<OriginGroups><Quantity>0</Quantity></OriginGroups>");
        x.append("<DefaultCacheBehavior>");
        el(x, "TargetOriginId", originId);
        x.append("<TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>");
        x.append("<TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>");
        el(x, "ViewerProtocolPolicy", "redirect-to-https");
        x.append("<AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items>"
                + "<CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods>"
                + "</AllowedMethods>");
        el(x, "SmoothStreaming", "false");
        el(x, "Compress", "true");
        x.append("<LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations>");
        x.append("<FunctionAssociations><Quantity>0</Quantity></FunctionAssociations>");
        el(x, "FieldLevelEncryptionId", "");
        el(x, "CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6");
        x.append("</DefaultCacheBehavior>");
        x.append("<CacheBehaviors><Quantity>0</Quantity></CacheBehaviors>");
        x.append("<CustomErrorResponses><Quantity>0</Quantity></CustomErrorResponses>");
        el(x, "Comment", "PostHog versions.json (update notice for self-hosted instances)");
        x.append("<Logging><Enabled>false</Enabled><IncludeCookies>false</IncludeCookies><Bucket></Bucket><Prefix></Prefix></Logging>");
        el(x, "PriceClass", "PriceClass_All");
        el(x, "Enabled", "true");
        x.append("<ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate>"
                + "<SSLSupportMethod>vip</SSLSupportMethod><MinimumProtocolVersion>TLSv1</MinimumProtocolVersion>"
                + "<CertificateSource>cloudfront</CertificateSource></ViewerCertificate>");
        x.append("<Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity>"
                + "</GeoRestriction></Restrictions>");
        el(x, "WebACLId", "");
        el(x, "HttpVersion", "http2");
        el(x, "IsIPV6Enabled", "true");
        x.append("</DistributionConfig>");
        return x.toString();
    }

    private static void error(HttpExchange exchange, int status, String type, String code, String message)
            throws IOException {
        StringBuilder x = new StringBuilder();
        x.append("<ErrorResponse xmlns=\"").append(NS).append("\"><Error>");
        el(x, "Type", type);
        el(x, "Code", code);
        el(x, "Message", message);
        x.append("</Error>");
        el(x, "RequestId", exchange.getResponseHeaders().getFirst("x-amz-request-id"));
        x.append("</ErrorResponse>");
        xml(exchange, status, x.toString());
    }

    private static void xml(HttpExchange exchange, int status, String doc) throws IOException {
        Http.sendText(exchange, status, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doc);
    }

    private static void el(StringBuilder x, String name, String value) {
        x.append('<').append(name).append('>').append(escape(value == null ? "" : value)).append("</").append(name).append('>');
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String text(Element root, String name) {
        NodeList nodes = root.getElementsByTagNameNS("*", name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
