package io.baton.server;

import io.baton.core.HandoffRequest;
import io.baton.core.ServerCore;
import io.baton.core.SourcePhase;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one way this runtime starts a handoff: {@link BatonServer#handoff}, the admin API's {@code POST /handoff}
 * and a graceful stop all come here, and each gets the same {@link Handoff} handle, told of every phase the
 * core's source enters ({@link MeteredOutbox} passes the core's {@code phaseChanged} on).
 *
 * <p>Only the core's loop touches {@link #current}: the order and the phases it is told of run there.
 */
final class Handoffs {

    private final CoreDriver driver;
    private final Executor listeners;
    /** The handoff under way whose phases the core reports, or null. */
    private Handoff current;

    Handoffs(CoreDriver driver, Executor listeners) {
        this.driver = driver;
        this.listeners = listeners;
    }

    /** Orders a handoff from any thread; completes once the core took the order or refused it. */
    CompletableFuture<Handoff> start(HandoffRequest request) {
        return driver.call(core -> startOnLoop(core, request));
    }

    /** Orders a handoff, on the core's loop. The handle's outcome is already complete if it was refused. */
    Handoff startOnLoop(ServerCore core, HandoffRequest request) {
        Handoff handle = new Handoff(listeners);
        Handoff before = current;
        current = handle; // first: the core enters CONNECTING inside startHandoff
        Optional<String> refused = core.startHandoff(request, CoreDriver.now());
        if (refused.isPresent()) {
            current = before;
            handle.refused(refused.get());
        } else {
            handle.started(core.status().handoffId());
        }
        return handle;
    }

    /** The server is closing, on the core's loop: a handoff under way will never be told its end. */
    void closing() {
        if (current != null) {
            current.closed();
            current = null;
        }
    }

    /**
     * The core's source entered {@code next}, on its loop, in the middle of an event: the status is read in
     * the loop's next task, once that event is whole, and ordered after every earlier phase's.
     */
    void sourceEntered(SourcePhase next) {
        Handoff handle = current;
        if (handle == null) {
            return;
        }
        if (next == SourcePhase.DONE || next == SourcePhase.ABORTED || next == SourcePhase.FENCED) {
            current = null;
        }
        try {
            driver.loop().execute(() -> handle.entered(next, driver.core().status()));
        } catch (RejectedExecutionException e) {
            // The server is closing: its handoff ends with it, unreported.
        }
    }
}
