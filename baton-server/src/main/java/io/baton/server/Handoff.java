package io.baton.server;

import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One handoff a server was ordered to make, as its source sees it: the phase it is in, each phase as it is
 * entered, and how it ended. {@link BatonServer#handoff} returns it, and the admin API's {@code POST /handoff}
 * is that same call, so a handoff ordered over HTTP and one ordered from Java are one thing.
 *
 * <p>Progress is told as it happens, not polled: the core tells the server of every phase it enters, and
 * the handle hears of it on the core's loop and passes it on, with the status read right after that event,
 * to its listeners on the server's admin thread (never the core's: a listener may take its time).
 */
public final class Handoff {

    /** How a handoff ended. */
    public enum Result {
        /** The target holds authority and this source drained: every client is there ({@link SourcePhase#DONE}). */
        COMPLETED,
        /** It failed before cutover; this source carries on serving every client ({@link SourcePhase#ABORTED}). */
        ABORTED,
        /**
         * This source lost its target when the target may have taken over; it gave up authority and sends its
         * clients to the target ({@link SourcePhase#FENCED}, docs/faults.md).
         */
        FENCED,
        /** The server would not start it (not the authority, a handoff under way, ...): nothing changed. */
        REFUSED
    }

    /**
     * A phase entered.
     *
     * @param phase  the phase the source entered
     * @param status the server's status read right after that event (it may already be past {@code phase}
     *               when phases follow each other within one event)
     */
    public record Progress(SourcePhase phase, ServerStatus status) {
    }

    /**
     * How it ended.
     *
     * @param result what happened
     * @param reason why, for {@link Result#ABORTED}, {@link Result#FENCED} and {@link Result#REFUSED}; empty
     *               when completed
     * @param status the server's status when it ended (null if refused)
     */
    public record Outcome(Result result, String reason, ServerStatus status) {
        public Outcome {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(reason, "reason");
        }

        /** Whether every client is on the target now. */
        public boolean completed() {
            return result == Result.COMPLETED;
        }
    }

    private final Executor listeners;
    private final List<Consumer<Progress>> onProgress = new CopyOnWriteArrayList<>();
    /** Every phase told so far (at most one per phase of a handoff), for a listener added late; listeners' thread only. */
    private final List<Progress> told = new java.util.ArrayList<>();
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile long id;
    private volatile SourcePhase phase = SourcePhase.IDLE;

    Handoff(Executor listeners) {
        this.listeners = listeners;
    }

    /** The handoff's id, as the logs, {@code /status} and {@code POST /handoff}'s answer name it; 0 if refused. */
    public long id() {
        return id;
    }

    /** The last phase told ({@link SourcePhase#IDLE} until the first is, and if it was refused). */
    public SourcePhase phase() {
        return phase;
    }

    /**
     * Calls {@code listener} with every phase this handoff entered, in order, on the server's admin thread: first
     * those entered before it was added (the handoff runs on while the caller receives its handle), then each as
     * it is entered. Returns this handle.
     */
    public Handoff onProgress(Consumer<Progress> listener) {
        Objects.requireNonNull(listener, "listener");
        Runnable add = () -> {
            for (Progress p : told) {
                tellOne(listener, p);
            }
            onProgress.add(listener);
        };
        try {
            listeners.execute(add); // on the thread that tells the phases, so none is missed or told twice
        } catch (java.util.concurrent.RejectedExecutionException e) {
            onProgress.add(listener); // the server is closing: nothing more will be told
        }
        return this;
    }

    private static void tellOne(Consumer<Progress> listener, Progress p) {
        try {
            listener.accept(p);
        } catch (RuntimeException e) {
            // One listener's bug neither stops the others nor the handoff.
            org.slf4j.LoggerFactory.getLogger("baton.server").warn("a handoff listener failed on {}: {}",
                    p.phase(), e.toString());
        }
    }

    /**
     * Completes once the handoff ended: completed, aborted, fenced, or refused at once. After every
     * {@link #onProgress} call about it. Completes exceptionally (an {@link IllegalStateException}) if the server
     * is closed before the handoff ended. An aborted handoff's source may later fence itself too (faults.md, the
     * fence watch): that is a new phase of the server, not a change of this outcome.
     */
    public CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    /** Its server closed before it ended: whatever it had done, nothing more will be told of it. */
    void closed() {
        outcome.completeExceptionally(new IllegalStateException("the server closed in phase " + phase
                + " before " + this + " ended; its status at the end was never read"));
    }

    /** The order was refused: nothing moved. */
    void refused(String why) {
        outcome.complete(new Outcome(Result.REFUSED, why, null));
    }

    /** Why the order was refused, if it was (known at once: a refusal completes the outcome before the handle returns). */
    java.util.Optional<String> refusal() {
        Outcome o = outcome.getNow(null);
        return o != null && o.result() == Result.REFUSED ? java.util.Optional.of(o.reason()) : java.util.Optional.empty();
    }

    void started(long handoffId) {
        id = handoffId;
    }

    /**
     * On the core's loop, after the event in which the source entered {@code next}: tells the listeners, and
     * completes the outcome if the phase ends the handoff. Returns whether it did.
     */
    boolean entered(SourcePhase next, ServerStatus status) {
        phase = next;
        Result end = switch (next) {
            case DONE -> Result.COMPLETED;
            case ABORTED -> Result.ABORTED;
            case FENCED -> Result.FENCED;
            default -> null;
        };
        Progress p = new Progress(next, status);
        Runnable tell = () -> {
            told.add(p);
            for (Consumer<Progress> l : onProgress) {
                tellOne(l, p);
            }
            if (end != null) {
                outcome.complete(new Outcome(end, end == Result.COMPLETED ? "" : status.lastError(), status));
            }
        };
        try {
            listeners.execute(tell);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The server is closing and its admin thread is gone: the outcome is still told, here and at once.
            if (end != null) {
                outcome.complete(new Outcome(end, end == Result.COMPLETED ? "" : status.lastError(), status));
            }
        }
        return end != null;
    }

    @Override
    public String toString() {
        return "handoff " + Long.toHexString(id) + " (" + phase + ")";
    }
}
