package com.example.chat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The chat room's bytes: what a client sends ({@link #say}, {@link #name}) and what the room tells it
 * ({@link Event}, read with {@link #decode}). Clients and the room share this one class.
 *
 * <pre>
 *   input   'S' text (UTF-8)                 say something to the room
 *           'N' name (UTF-8)                 be called this from now on
 *   output  'W' you:long                     welcome: your session; then who is in, then the history
 *           'J' session:long name            someone is in (joined, renamed, or was there when you came)
 *           'L' session:long                 someone left
 *           'M' number:long at:long from:long name text     a message (number counts from 0 in this room)
 *           'H' the same as 'M'              a message said before you came in (the history)
 *           'E' why (UTF-8)                  your input was refused, and why
 * </pre>
 * Strings inside an output are a 2-byte length then UTF-8.
 */
public final class Chat {

    private Chat() {
    }

    /** What the room tells a client. */
    public sealed interface Event permits Welcome, Joined, Left, Message, Refused {
    }

    /** You are in, as session {@code you}. */
    public record Welcome(long you) implements Event {
    }

    /** {@code session} is in the room, called {@code name}. */
    public record Joined(long session, String name) implements Event {
    }

    /** {@code session} left. */
    public record Left(long session) implements Event {
    }

    /**
     * Something said in the room.
     *
     * @param number  its place among everything said in this room, from 0
     * @param atMillis the room's service time when it was said (never a wall clock)
     * @param from    the session that said it
     * @param name    what that session was called then
     * @param text    what it said
     * @param history whether it was said before the receiver came in (sent with the welcome)
     */
    public record Message(long number, long atMillis, long from, String name, String text, boolean history)
            implements Event {
    }

    /** An input of the receiver's was refused. */
    public record Refused(String why) implements Event {
    }

    /** The input that says {@code text} to the room. */
    public static byte[] say(String text) {
        return input('S', text);
    }

    /** The input that renames the sender. */
    public static byte[] name(String name) {
        return input('N', name);
    }

    private static byte[] input(char kind, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + utf8.length).put((byte) kind).put(utf8).array();
    }

    /** The text of an input after its kind byte, or null if it is not UTF-8. */
    static String text(byte[] input) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input, 1, input.length - 1)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The bytes of one output (Java 17: no pattern matching in switch yet, so a chain of tests). */
    static byte[] encode(Event e) {
        if (e instanceof Welcome w) {
            return ByteBuffer.allocate(9).put((byte) 'W').putLong(w.you()).array();
        }
        if (e instanceof Joined j) {
            byte[] name = j.name().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(11 + name.length).put((byte) 'J').putLong(j.session())
                    .putShort((short) name.length).put(name).array();
        }
        if (e instanceof Left l) {
            return ByteBuffer.allocate(9).put((byte) 'L').putLong(l.session()).array();
        }
        if (e instanceof Message m) {
            byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
            byte[] text = m.text().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(29 + name.length + 2 + text.length).put((byte) (m.history() ? 'H' : 'M'))
                    .putLong(m.number()).putLong(m.atMillis()).putLong(m.from())
                    .putShort((short) name.length).put(name).putShort((short) text.length).put(text).array();
        }
        byte[] why = ((Refused) e).why().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + why.length).put((byte) 'E').put(why).array();
    }

    /** Reads one output of the room. */
    public static Event decode(byte[] output) {
        ByteBuffer b = ByteBuffer.wrap(output);
        char kind = (char) b.get();
        return switch (kind) {
            case 'W' -> new Welcome(b.getLong());
            case 'J' -> new Joined(b.getLong(), getString(b));
            case 'L' -> new Left(b.getLong());
            case 'M', 'H' -> new Message(b.getLong(), b.getLong(), b.getLong(), getString(b), getString(b), kind == 'H');
            case 'E' -> new Refused(new String(output, 1, output.length - 1, StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException("not an output of the chat room: kind '" + kind + "'");
        };
    }

    private static String getString(ByteBuffer b) {
        byte[] utf8 = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
