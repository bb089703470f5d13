package io.baton.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS 1.3 for every Baton link, one decision made in one place: OpenSSL (BoringSSL, from
 * netty-tcnative-boringssl-static) where it loads, the JDK's provider otherwise, and only TLS 1.3 either way
 * (docs/protocol.md, "Security"). A server presents one certificate on each of its ports; with an operator CA
 * the peer link is mutual. A client verifies the server against the CA it trusts and checks the host name it
 * dialled against the certificate's names.
 */
public final class Tls {

    /** The only protocol Baton speaks over TLS: older versions have weaker handshakes and no benefit here. */
    static final String PROTOCOL = "TLSv1.3";
    /** The binding's bytes: a SHA-256 digest. */
    public static final int BINDING_BYTES = 32;

    private Tls() {
    }

    private static SslProvider sslProvider() {
        return OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Which implementation this process's TLS runs on: "OpenSSL (BoringSSL)" or "JDK". */
    public static String provider() {
        return sslProvider() == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    /**
     * The context of a server's port: presents {@code certPem} (a chain, leaf first) with its PKCS#8
     * {@code keyPem}. With {@code caPemOrNull} the port demands a client certificate issued by that CA (the peer
     * port: mutual TLS); without, any client may connect (the client and admin ports).
     *
     * @throws IllegalArgumentException naming the file that could not be used and why
     */
    public static SslContext server(Path certPem, Path keyPem, Path caPemOrNull) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(certPem.toFile(), keyPem.toFile())
                    .sslProvider(sslProvider())
                    .protocols(PROTOCOL);
            if (caPemOrNull != null) {
                b.trustManager(readable(caPemOrNull).toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable("the server certificate " + certPem + " with its key " + keyPem
                    + (caPemOrNull == null ? "" : " and the CA " + caPemOrNull), e);
        }
    }

    /**
     * The context of a client that trusts the certificates in {@code caPem}; with {@code certPemOrNull} and
     * {@code keyPemOrNull} it presents that certificate when asked (a source dialling its target's peer port).
     * The host name it dials is checked against the server certificate's names (DNS or IP).
     *
     * @throws IllegalArgumentException naming the file that could not be used and why
     */
    public static SslContext client(Path caPem, Path certPemOrNull, Path keyPemOrNull) {
        try {
            SslContextBuilder b = clientBuilder().trustManager(readable(caPem).toFile());
            if (certPemOrNull != null) {
                b.keyManager(certPemOrNull.toFile(), keyPemOrNull.toFile());
            }
            SslContext ctx = b.build();
            if (certPemOrNull != null && ctx.sessionContext() instanceof io.netty.handler.ssl.OpenSslSessionContext o) {
                // A peer link never resumes a TLS session: a resumed session does not give back both
                // certificates as a full handshake does, so its binding (below) differed from the target's and a second handoff to
                // the same target would fail its proofs.
                o.setSessionCacheEnabled(false);
            }
            return ctx;
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable("the CA " + caPem + (certPemOrNull == null ? ""
                    : " with the certificate " + certPemOrNull + " and its key " + keyPemOrNull), e);
        }
    }

    /**
     * The context of a client that trusts {@code trust} (the SDK's {@code ClientOptions.trust}), presenting none.
     * It remembers the server chains it accepted ({@link RememberingTrustManager}), so the sessions of one
     * process that share the context validate each server's chain once, and after that check its dates only.
     */
    public static SslContext client(List<X509Certificate> trust) {
        if (trust.isEmpty()) {
            throw new IllegalArgumentException("a TLS client needs at least one certificate to trust");
        }
        try {
            return clientBuilder().trustManager(RememberingTrustManager.of(trust)).build();
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw unusable("the certificates to trust (" + trust.get(0).getSubjectX500Principal() + "...)", e);
        }
    }

    /**
     * A client that trusts any certificate: only for a server's connection to its own port at start, which
     * loads and runs the handshake code once before the first real client does. Never for anything that
     * carries data.
     */
    public static SslContext selfCheckOnly() {
        try {
            return clientBuilder().trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS client context: " + e, e);
        }
    }

    /**
     * The files {@link #writeDevelopmentCertificates} wrote.
     *
     * @param ca        the CA's certificate: what clients trust ({@code --tls-ca}) and what signs every server's
     * @param caKey     the CA's private key: keep it off the servers; it signs more certificates
     * @param cert      the server certificate, every host as a subject alternative name ({@code --tls-cert})
     * @param key       its private key, PKCS#8 ({@code --tls-key})
     */
    public record CertificateFiles(Path ca, Path caKey, Path cert, Path key) {
    }

    /**
     * Writes a development CA and one server certificate signed by it for every name in {@code hosts} (IP
     * addresses as IP names, the rest as DNS names), ECDSA P-256, valid for {@code days} from now, into {@code
     * dir} as {@code ca.pem ca-key.pem server.pem server-key.pem} (keys readable by the owner only). The same
     * certificate serves the client, admin and peer ports, and presents itself as a client on the peer link.
     *
     * @throws IllegalArgumentException if a file exists and {@code overwrite} is false, or an argument is bad
     * @throws IOException              if a file cannot be written
     */
    public static CertificateFiles writeDevelopmentCertificates(Path dir, List<String> hosts, int days, boolean overwrite)
            throws IOException {
        return CertificateMaker.write(dir, hosts, days, overwrite);
    }

    /**
     * As {@link #writeDevelopmentCertificates(Path, List, int, boolean)}, but one certificate per name in {@code
     * names}, each with its own key, written as {@code NAME.pem} and {@code NAME-key.pem} next to the CA; returned
     * in the order of {@code names}. Give each server its own: the peer link's binding (SHA-256 of the source's
     * certificate, then the target's) then tells the two apart, so a relay holding one of them cannot pass.
     *
     * @throws IllegalArgumentException if a name is not a plain file name or appears twice, or as above
     */
    public static List<CertificateFiles> writeDevelopmentCertificates(Path dir, List<String> hosts, List<String> names,
                                                                      int days, boolean overwrite) throws IOException {
        return CertificateMaker.write(dir, hosts, names, days, overwrite);
    }

    private static SslContextBuilder clientBuilder() {
        return SslContextBuilder.forClient().sslProvider(sslProvider()).protocols(PROTOCOL)
                .endpointIdentificationAlgorithm("HTTPS");
    }

    /**
     * The certificates in a PEM file, in order.
     *
     * @throws IllegalArgumentException naming the file, if it cannot be read or holds no certificate
     */
    public static List<X509Certificate> certificates(Path pem) {
        try (InputStream in = Files.newInputStream(readable(pem))) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pem + ": give a PEM file with "
                        + "-----BEGIN CERTIFICATE----- blocks (./baton certs writes ca.pem)");
            }
            return out;
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot read the certificates in " + pem + ": " + e.getMessage()
                    + "; give a PEM file (./baton certs writes ca.pem)", e);
        }
    }

    /**
     * What a peer link's proofs are bound to (docs/protocol.md, "Security"): SHA-256 over the DER of the
     * certificate the source (the side that dialled) presented, then the target's. Both ends compute the same
     * bytes from one handshake. netty-tcnative 2.0.84 exposes no TLS exporter (its {@code SSL} class has none)
     * and JDK 17's engine has none either, so the binding is the pair of certificates, not the session: it
     * stops a relay by someone who holds one of the two certificates and its key but not the other's.
     *
     * <p>Empty if either end presented no certificate: a connection that is not a peer link (the source's
     * PROBE of a target's client port, which asks for no client certificate), or a "target" that did not ask
     * for the source's, which a real peer port always does.
     */
    public static byte[] binding(SslHandler handler) {
        SSLSession session = handler.engine().getSession();
        Certificate[] local = session.getLocalCertificates();
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return new byte[0];
        }
        if (local == null || local.length == 0 || peer.length == 0) {
            return new byte[0];
        }
        boolean dialled = handler.engine().getUseClientMode();
        Certificate source = dialled ? local[0] : peer[0];
        Certificate target = dialled ? peer[0] : local[0];
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source.getEncoded());
            sha.update(target.getEncoded());
            return sha.digest();
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot compute the peer link's TLS binding: " + e, e);
        }
    }

    private static Path readable(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + file + " (no such file, or no permission)");
        }
        return file;
    }

    private static IllegalArgumentException unusable(String what, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null) {
            why += " (" + root.getMessage() + ")";
        }
        return new IllegalArgumentException("cannot use " + what + " for TLS: " + why + "; give PEM files, the key "
                + "in PKCS#8 (BEGIN PRIVATE KEY), as ./baton certs writes them", e);
    }
}
