package io.baton.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Reads the admin token and the peer secret from files, creating them (owner-only) when absent. */
final class Secrets {

    private Secrets() {
    }

    /** The file's first line, or a fresh random hex string written to it if it does not exist. */
    static String readOrCreate(Path file, String what) throws IOException {
        if (Files.exists(file)) {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (s.length() < 16) {
                throw new IOException(what + " in " + file + " is shorter than 16 characters");
            }
            return s;
        }
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String s = HexFormat.of().formatHex(b);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(file, s + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: the file keeps its default permissions.
        }
        System.err.println("baton: created " + what + " in " + file);
        return s;
    }

    /** The file's first line; the file must exist. */
    static String read(Path file, String what) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(what + " file " + file + " does not exist (the server creates it on first start)");
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
}
