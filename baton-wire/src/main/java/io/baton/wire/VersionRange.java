package io.baton.wire;

/**
 * The protocol versions one side of a link speaks, {@code min..max}: what it sends in HELLO or PEER_HELLO,
 * and what the other side picks the highest common version from. One place for the rule (docs/protocol.md,
 * "Versions"), so that the server, the client and the simulator cannot choose differently.
 *
 * @param min the oldest version spoken, at least {@link Frame#FIRST_RANGED_VERSION} for a range this build
 *            sends; a decoded hello from a build before ranges is {@code v..v} with {@code v < 4}
 * @param max the newest version spoken, at least {@code min}
 */
public record VersionRange(int min, int max) {

    /** What this build speaks on the client link unless configured otherwise. */
    public static final VersionRange CLIENT_DEFAULT = new VersionRange(Frame.VERSION, Frame.VERSION);
    /** What this build speaks on the peer link unless configured otherwise. */
    public static final VersionRange PEER_DEFAULT = new VersionRange(Frame.PEER_VERSION, Frame.PEER_VERSION);

    public VersionRange {
        if (min < 1 || max < min || max > 0xFF) {
            throw new IllegalArgumentException("a version range is min..max with 1 <= min <= max <= 255, was "
                    + min + ".." + max);
        }
    }

    /**
     * A range this build may be configured to speak: within {@code 4..}{@link Frame#NEWEST_KNOWN_VERSION}, the
     * versions its codec can write and read. Refuses anything else, naming what is possible.
     */
    public static VersionRange speakable(int min, int max) {
        if (min < Frame.FIRST_RANGED_VERSION || max > Frame.NEWEST_KNOWN_VERSION || max < min) {
            throw new IllegalArgumentException("protocol versions " + min + ".." + max + " cannot be spoken by this "
                    + "build: it speaks versions within " + Frame.FIRST_RANGED_VERSION + ".." + Frame.NEWEST_KNOWN_VERSION
                    + " (version " + Frame.NEWEST_KNOWN_VERSION + " is the test version, docs/protocol.md \"Versions\")");
        }
        return new VersionRange(min, max);
    }

    /** Parses {@code "4..5"} or {@code "4"} (for {@code 4..4}) into a {@link #speakable} range. */
    public static VersionRange parse(String text) {
        String[] parts = text.trim().split("\\.\\.", -1);
        try {
            if (parts.length == 1) {
                int v = Integer.parseInt(parts[0].trim());
                return speakable(v, v);
            }
            if (parts.length == 2) {
                return speakable(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("a protocol version range is MIN..MAX or one version, e.g. 4..5; got '"
                + text + "'");
    }

    /** Whether {@code version} is in the range. */
    public boolean contains(int version) {
        return version >= min && version <= max;
    }

    /** The highest version both ranges hold, or 0 if they do not overlap. */
    public int highestCommon(VersionRange other) {
        int v = Math.min(max, other.max);
        return v >= Math.max(min, other.min) ? v : 0;
    }

    /** Whether this is what a build before version ranges sent: its one version, below 4. */
    public boolean beforeRanges() {
        return max < Frame.FIRST_RANGED_VERSION;
    }

    /** {@code 4..5}: how every message names a range. */
    @Override
    public String toString() {
        return min + ".." + max;
    }
}
