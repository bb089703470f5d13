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
            return read(file, what);
        }
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String s = HexFormat.of().formatHex(b);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Two servers started together in one folder must end up with the same secret: write a complete
        // file under a private name, then link it into place, which fails if the other one won the race.
        Path temp = Files.createTempFile(dir, ".secret", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Not a POSIX file system: the file keeps its default permissions.
            }
            Files.writeString(temp, s + "\n", StandardCharsets.UTF_8);
            Files.createLink(file, temp);
            System.err.println("baton: created " + what + " in " + file);
            return s;
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            return read(file, what);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file's first line; the file must exist and hold at least 16 characters. */
    static String read(Path file, String what) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(what + " file " + file + " does not exist (the server creates it on first start)");
        }
        String s = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (s.length() < 16) {
            throw new IOException(what + " in " + file + " is shorter than 16 characters");
        }
        return s;
    }
}
