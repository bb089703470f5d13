package io.baton.transport;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The SDK's check of a server's certificate, remembered: a process that opens many sessions (a fleet of bots,
 * a test) meets the same server chain again and again, and a full PKIX validation in Java, a few milliseconds
 * warm and tens of them cold, on the event loop that carries every session's traffic, stalled them all (100
 * bots pre-connecting to a target at once missed the cutover and resumed instead; docs/protocol.md,
 * "Security"). A chain already validated for the same host and key exchange is accepted again after only
 * its certificates' validity dates are checked; anything else goes to the JDK's own trust manager, and only
 * what it accepted is remembered (at most {@link #REMEMBERED} chains, least recently used first out).
 */
final class RememberingTrustManager extends X509ExtendedTrustManager {

    static final int REMEMBERED = 256;

    private final X509ExtendedTrustManager inner;
    private final Map<String, Boolean> verified = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    private RememberingTrustManager(X509ExtendedTrustManager inner) {
        this.inner = inner;
    }

    /** The JDK's PKIX trust manager over {@code trust}, remembering what it accepted. */
    static TrustManager of(List<X509Certificate> trust) throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < trust.size(); i++) {
            store.setCertificateEntry("trusted-" + i, trust.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new RememberingTrustManager(x);
            }
        }
        throw new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        String key = key(chain, authType, engine == null ? null : engine.getPeerHost(),
                engine == null ? null : engine.getSSLParameters().getEndpointIdentificationAlgorithm());
        if (remembered(key, chain)) {
            return;
        }
        inner.checkServerTrusted(chain, authType, engine);
        remember(key);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        inner.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        inner.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        inner.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        inner.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        inner.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return inner.getAcceptedIssuers();
    }

    /** Whether {@code key} was accepted before and every certificate of {@code chain} is still within its dates. */
    private boolean remembered(String key, X509Certificate[] chain) throws CertificateException {
        synchronized (verified) {
            if (verified.get(key) == null) {
                return false;
            }
        }
        for (X509Certificate c : chain) {
            c.checkValidity(); // an expired one throws, as the full check would
        }
        return true;
    }

    private void remember(String key) {
        synchronized (verified) {
            verified.put(key, Boolean.TRUE);
        }
    }

    /** What the outcome of a check depends on: the chain's bytes, the key exchange, the host and how it is checked. */
    static String key(X509Certificate[] chain, String authType, String host, String endpointCheck)
            throws CertificateException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (X509Certificate c : chain) {
                byte[] der = c.getEncoded();
                sha.update((byte) (der.length >>> 24));
                sha.update((byte) (der.length >>> 16));
                sha.update((byte) (der.length >>> 8));
                sha.update((byte) der.length);
                sha.update(der);
            }
            return java.util.HexFormat.of().formatHex(sha.digest()) + "|" + authType + "|" + host + "|" + endpointCheck;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new CertificateException("SHA-256 is missing from this JDK", e);
        }
    }
}
