package io.syncer.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made by the test with the JDK's {@code keytool}, and a broker key store it signed (for
 * {@code 127.0.0.1} and {@code localhost}), plus a trust store holding only that CA: what a TLS listener and its
 * clients need, with no file from outside the run. All stores are PKCS12.
 *
 * @param brokerKeyStore the broker's key and its CA-signed certificate chain
 * @param trustStore the CA certificate, for clients
 */
record SelfSignedCa(Path brokerKeyStore, Path trustStore) {

    /**
     * Makes the CA, the broker's key store and the trust store in {@code dir}.
     *
     * @param caPassword the CA key store's password
     * @param keyStorePassword the broker key store's password (also its key's: PKCS12 has one)
     * @param trustStorePassword the trust store's password
     */
    static SelfSignedCa create(Path dir, String caPassword, String keyStorePassword, String trustStorePassword)
            throws IOException, InterruptedException {
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path brokerPem = dir.resolve("broker.pem");
        Path trust = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=syncer reliability test CA", "-ext", "bc:c", "-storetype", "PKCS12",
                "-keystore", ca.toString(), "-storepass", caPassword);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", caPassword,
                "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-storetype", "PKCS12", "-keystore", broker.toString(),
                "-storepass", keyStorePassword);
        keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", keyStorePassword,
                "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", caPassword,
                "-infile", csr.toString(), "-outfile", brokerPem.toString(), "-validity", "2",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", broker.toString(),
                "-storepass", keyStorePassword);
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", brokerPem.toString(),
                "-keystore", broker.toString(), "-storepass", keyStorePassword);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", trustStorePassword);
        return new SelfSignedCa(broker, trust);
    }

    /** Runs keytool; its output (which never holds the passwords) goes into the exception if it fails. */
    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }
}
