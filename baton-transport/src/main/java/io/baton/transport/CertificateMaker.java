package io.baton.transport;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a development CA and a server certificate for {@code ./baton certs} and the demo's run directory
 * (BouncyCastle for the X.509 building and PEM writing; the JDK's provider for the keys and signatures).
 */
final class CertificateMaker {

    static final String CA = "ca.pem";
    static final String CA_KEY = "ca-key.pem";
    /** A development CA's lifetime ends before any certificate it signed could be renewed from it unnoticed. */
    static final int MAX_DAYS = 3650;

    private CertificateMaker() {
    }

    static Tls.CertificateFiles write(Path dir, List<String> hosts, int days, boolean overwrite) throws IOException {
        return write(dir, hosts, List.of(SERVER), days, overwrite).get(0);
    }

    /** The name of the one certificate {@code ./baton certs} makes without {@code --names}: server.pem. */
    static final String SERVER = "server";

    /**
     * A CA, then one certificate per name in {@code names}, each with a key of its own, all naming every host:
     * {@code NAME.pem} and {@code NAME-key.pem}, returned in the order of {@code names}.
     */
    static List<Tls.CertificateFiles> write(Path dir, List<String> hosts, List<String> names, int days,
                                            boolean overwrite) throws IOException {
        if (hosts.isEmpty() || hosts.stream().anyMatch(h -> h.isBlank())) {
            throw new IllegalArgumentException("--hosts needs at least one host name or address, comma separated, "
                    + "e.g. localhost,127.0.0.1,game-7.example.net; was " + hosts);
        }
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("--days must be within 1.." + MAX_DAYS + ", was " + days);
        }
        checkNames(names);
        List<Tls.CertificateFiles> out = new ArrayList<>();
        for (String name : names) {
            out.add(new Tls.CertificateFiles(dir.resolve(CA), dir.resolve(CA_KEY), dir.resolve(name + ".pem"),
                    dir.resolve(name + "-key.pem")));
        }
        if (!overwrite) {
            List<Path> all = new ArrayList<>(List.of(dir.resolve(CA), dir.resolve(CA_KEY)));
            out.forEach(f -> all.addAll(List.of(f.cert(), f.key())));
            for (Path p : all) {
                if (Files.exists(p)) {
                    throw new IllegalArgumentException(p + " exists already; give --force to replace the CA and "
                            + "certificates in " + dir + " (servers and clients using the old ones will then "
                            + "need the new ones), or choose another --out");
                }
            }
        }
        Files.createDirectories(dir);
        try {
            Instant now = Instant.now();
            Date from = Date.from(now.minus(Duration.ofMinutes(5))); // a clock a little behind still accepts it
            Date until = Date.from(now.plus(Duration.ofDays(days)));
            SecureRandom random = new SecureRandom();
            KeyPair caKeys = keyPair(random);
            X500Name caName = new X500Name("CN=Baton development CA " + now.getEpochSecond());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(random), from, until, caName,
                    caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCert = sign(ca, caKeys);
            writePublic(dir.resolve(CA), pem(caCert));
            writePrivate(dir.resolve(CA_KEY), pem(new JcaPKCS8Generator(caKeys.getPrivate(), null)));

            for (Tls.CertificateFiles f : out) {
                KeyPair keys = keyPair(random); // each server its own key: what the peer link's binding tells apart
                X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caCert, serial(random), from, until,
                        new X500Name("CN=" + hosts.get(0).strip()), keys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        // A server's certificate is also what it presents when it dials a target's peer port.
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                        .addExtension(Extension.subjectAlternativeName, false, names(hosts))
                        .addExtension(Extension.subjectKeyIdentifier, false,
                                ext.createSubjectKeyIdentifier(keys.getPublic()))
                        .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
                writePublic(f.cert(), pem(sign(leaf, caKeys)));
                writePrivate(f.key(), pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
            }
            return List.copyOf(out);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make an ECDSA P-256 certificate with this JDK: " + e, e);
        }
    }

    /** File-name safe, distinct, and not the CA's: each becomes NAME.pem and NAME-key.pem next to ca.pem. */
    private static void checkNames(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--names needs at least one certificate name, e.g. source,target");
        }
        for (String n : names) {
            if (!n.matches("[a-z0-9][a-z0-9_-]{0,63}") || n.equals("ca") || n.endsWith("-key")) {
                throw new IllegalArgumentException("--names: '" + n + "' cannot name a certificate file; use "
                        + "lower-case letters, digits, '-' and '_' (not 'ca', not ending in '-key'), e.g. source,target");
            }
        }
        if (new java.util.HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("--names lists a name twice: " + names + "; give each server its own");
        }
    }

    private static KeyPair keyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    /** Every host as a subject alternative name: an address as an IP name (what TLS checks for one), else DNS. */
    private static GeneralNames names(List<String> hosts) throws CertIOException {
        List<GeneralName> names = new ArrayList<>();
        for (String h : hosts) {
            String host = h.strip();
            names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** An IPv4 or IPv6 literal, decided without a name lookup. */
    static boolean isAddress(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return true;
        }
        if (!host.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(host) != null; // a literal with a colon is parsed, never looked up
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof JcaPKCS8Generator g ? g.generate() : o);
        }
        return out.toString();
    }

    private static void writePublic(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }
}
