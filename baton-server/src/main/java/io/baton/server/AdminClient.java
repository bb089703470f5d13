package io.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Talks to a server's admin API (the other end of its admin port): the operator's commands and the demo use it. */
public final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String token;

    /**
     * @param base the admin API: {@code host:port} or {@code http://host:port}
     * @throws IllegalArgumentException if {@code base} is neither, with a message that shows both forms
     */
    public AdminClient(String base, String token) {
        this(base, token, null);
    }

    /**
     * Over HTTPS when {@code caPemOrNull} is given: the server's certificate must chain to that CA and name the
     * host of {@code base}. {@code base}: {@code host:port} (HTTPS when a CA is given, else HTTP),
     * {@code http://host:port} or {@code https://host:port}.
     *
     * @throws IllegalArgumentException if {@code base} is none of these, or the CA cannot be read
     */
    public AdminClient(String base, String token, java.nio.file.Path caPemOrNull) {
        this.base = endpoint(base, caPemOrNull != null);
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
        if (caPemOrNull != null) {
            b.sslContext(trusting(caPemOrNull));
        }
        this.http = b.build();
    }

    /** A JDK TLS context that trusts only the certificates of {@code caPem}. */
    private static javax.net.ssl.SSLContext trusting(java.nio.file.Path caPem) {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (java.security.cert.X509Certificate c : io.baton.transport.Tls.certificates(caPem)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot trust the CA in " + caPem + " for the admin API: " + e, e);
        }
    }

    /**
     * The admin API's base URI from {@code host:port} or {@code http://host:port[/]}.
     *
     * @throws IllegalArgumentException if {@code given} is neither, with a message that shows both forms
     */
    public static URI endpoint(String given) {
        return endpoint(given, false);
    }

    /**
     * As {@link #endpoint(String)}; {@code host:port} is {@code https://} when {@code tls}, and an {@code
     * https://} address is accepted only then (there is no CA to verify it with otherwise).
     */
    public static URI endpoint(String given, boolean tls) {
        String s = given.strip();
        String url = s.contains("://") ? s : (tls ? "https://" : "http://") + s;
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri != null && "https".equals(uri.getScheme()) && !tls) {
            throw new IllegalArgumentException("the admin API address '" + given + "' is HTTPS but no CA was given "
                    + "to verify it with: give --tls-ca FILE (the CA that signed the server's certificate)");
        }
        if (uri == null || !(tls ? "https" : "http").equals(uri.getScheme()) && !"http".equals(uri.getScheme())
                || uri.getHost() == null || uri.getPort() < 0
                || (uri.getPath() != null && !uri.getPath().isEmpty())) {
            throw new IllegalArgumentException("the admin API address '" + given + "' is not host:port or "
                    + "http://host:port (for example 127.0.0.1:7002, the server's --admin-port)");
        }
        return uri;
    }

    /** The answer of one call: HTTP status and JSON body. */
    public record Reply(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String error() {
            return body.path("error").asText("HTTP " + status);
        }
    }

    public Reply status() throws IOException, InterruptedException {
        return call("GET", "/status", null);
    }

    /**
     * Starts a handoff to the standby whose peer port is {@code targetPeer}. {@code clientEndpoint} null: the
     * clients go where the target advertises; given, the source first checks that it reaches that target.
     */
    public Reply handoff(String targetPeer, String clientEndpoint, String mode) throws IOException, InterruptedException {
        Map<String, String> body = new java.util.LinkedHashMap<>();
        body.put("target_peer", targetPeer);
        if (clientEndpoint != null) {
            body.put("client_endpoint", clientEndpoint);
        }
        body.put("mode", mode);
        return call("POST", "/handoff", JSON.writeValueAsString(body));
    }

    /** The restart baseline: the server saves its whole state to {@code file}, stops, and exits. */
    public Reply save(String file) throws IOException, InterruptedException {
        return call("POST", "/save", JSON.writeValueAsString(Map.of("file", file)));
    }

    /** The restart baseline: a standby loads a saved state and takes authority. */
    public Reply restore(String file) throws IOException, InterruptedException {
        return call("POST", "/restore", JSON.writeValueAsString(Map.of("file", file)));
    }

    public Reply abort() throws IOException, InterruptedException {
        return call("POST", "/handoff/abort", "{}");
    }

    private Reply call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the admin API at " + base + " (is the server running?)", e);
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("cannot talk HTTPS to the admin API at " + base + ": " + e.getMessage()
                    + " (is it serving TLS, and did the CA given with --tls-ca sign its certificate, naming "
                    + base.getHost() + "?)", e);
        }
        JsonNode json = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        return new Reply(r.statusCode(), json);
    }
}
