package io.baton.arena;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.LifecycleListener;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * One simulated player: a real session that moves at a steady rate and checks, from the updates alone,
 * that every move was applied exactly once and in order and that every tick arrived exactly once.
 */
final class Bot {

    private final ClientOptions options;
    private final BotLedger ledger;
    private final AtomicInteger switched = new AtomicInteger();
    private final AtomicInteger resumed = new AtomicInteger();
    private final AtomicBoolean moved = new AtomicBoolean();
    /** Diagnostics: when this bot first heard MOVE, attached to the target and switched (System.nanoTime, 0 if never). */
    private final AtomicLongArray handoffMarks = new AtomicLongArray(3);
    private final LongConsumer onFirstMove;

    /** Guards the send path: the random generator, the stop flag and the one send in flight. */
    private final Object sendLock = new Object();
    private final SplittableRandom random;
    private boolean stopped;
    private long refused;

    private volatile BatonClient client;
    private volatile Throwable connectFailure;
    private volatile boolean closed;

    /**
     * What every bot of a fleet shares, one value so that a bot has one constructor and a caller names each
     * setting once: the server at {@code host:port}, over WebSocket at {@code ws://host:port/baton} if
     * {@code webSocket} ({@code wss://} with TLS), else over TCP; TLS, trusting {@code trust}, unless it is empty;
     * the rules expected of the server it starts on ({@code sourceRules}) and of the one it is handed off to
     * ({@code targetRules}), 0: the first update's, and the source's ({@link BotLedger}).
     */
    record Settings(String host, int port, boolean webSocket, java.util.List<java.security.cert.X509Certificate> trust,
                    int sourceRules, int targetRules) {
        Settings {
            java.util.Objects.requireNonNull(host, "host");
            trust = java.util.List.copyOf(trust);
        }
    }

    /**
     * One bot connecting as {@code settings} say, from {@code bindAddress} (null: any), its moves drawn from
     * {@code seed}; {@code onFirstMove} gets the System.nanoTime() of the first switch or resume, on an I/O thread.
     */
    Bot(Settings settings, String bindAddress, long seed, LongConsumer onFirstMove) {
        this.ledger = new BotLedger(settings.sourceRules(), settings.targetRules());
        this.random = new SplittableRandom(seed);
        this.onFirstMove = onFirstMove;
        String host = settings.host();
        String h = host.contains(":") ? "[" + host + "]" : host;
        ClientOptions.Builder b = settings.webSocket()
                ? ClientOptions.builder((settings.trust().isEmpty() ? "ws://" : "wss://") + h + ":" + settings.port()
                        + "/baton")
                : ClientOptions.builder(host, settings.port());
        this.options = b.bindAddress(bindAddress).trust(settings.trust()).lifecycle(this::onLifecycle).build();
    }

    /** Connects; the future completes either way, and a failure is kept for the report. */
    CompletableFuture<Void> connect(BotFleet.Connector connector) {
        CompletableFuture<BatonClient> connecting;
        try {
            connecting = connector.connect(options, this::onMessage);
        } catch (RuntimeException e) {
            connecting = CompletableFuture.failedFuture(e);
        }
        return connecting.handle((c, failure) -> {
            if (failure != null) {
                connectFailure = failure;
            } else {
                attach(c);
            }
            return null;
        });
    }

    /** Uses an established session; separate from connect so that tests can supply their own client. */
    void attach(BatonClient c) {
        client = c;
        if (closed) {
            // The fleet gave up on this connect before it completed.
            closeQuietly(c);
        }
    }

    boolean connected() {
        return client != null;
    }

    Throwable connectFailure() {
        return connectFailure;
    }

    /** Starts moving, at a random phase of the pacer's period so that a fleet does not send in lockstep. */
    void startSending(SendPacer pacer) {
        synchronized (sendLock) {
            if (stopped || client == null) {
                return;
            }
            pacer.add(this::sendNext, random.nextLong(pacer.slotCount()));
        }
    }

    /** Sends one move, unless stopped or the client's buffer is full (then the move is simply skipped). */
    void sendNext() {
        synchronized (sendLock) {
            BatonClient c = client;
            if (stopped || c == null) {
                return;
            }
            int dx = random.nextInt(-4, 5);
            int dy = random.nextInt(-4, 5);
            long id = ledger.recordSend(dx, dy);
            boolean accepted;
            try {
                accepted = c.trySend(ArenaProtocol.move(id, dx, dy));
            } catch (RuntimeException e) {
                // Closed or lost: what was sent before stays verifiable, so stop adding to it.
                accepted = false;
                stopped = true;
            }
            if (!accepted) {
                ledger.retractSend(id);
                refused++;
            }
        }
    }

    /** Stops sending; once this returns no further input goes out. */
    void stopSending() {
        synchronized (sendLock) {
            stopped = true; // the pacer may still call sendNext, which now sends nothing
        }
    }

    void onMessage(byte[] payload) {
        long now = System.nanoTime();
        ArenaProtocol.Update u;
        try {
            u = ArenaProtocol.decodeUpdate(payload);
        } catch (IllegalArgumentException e) {
            ledger.onMalformedUpdate(now);
            return;
        }
        ledger.onUpdate(now, u);
    }

    private void onLifecycle(LifecycleListener.Event event, String detail) {
        int mark = switch (event) {
            case MOVE_ANNOUNCED -> 0;
            case ATTACHED_TO_TARGET -> 1;
            case SWITCHED -> 2;
            default -> -1;
        };
        if (mark >= 0) {
            handoffMarks.compareAndSet(mark, 0, System.nanoTime());
        }
        if (event == LifecycleListener.Event.SWITCHED) {
            ledger.onSwitched();
        } else if (event == LifecycleListener.Event.MOVE_ANNOUNCED || event == LifecycleListener.Event.RESUMED) {
            ledger.onMoveHeard();
        }
        if (event == LifecycleListener.Event.SWITCHED) {
            switched.incrementAndGet();
        } else if (event == LifecycleListener.Event.RESUMED) {
            resumed.incrementAndGet();
        } else {
            return;
        }
        if (moved.compareAndSet(false, true)) {
            onFirstMove.accept(System.nanoTime());
        }
    }

    BotLedger ledger() {
        return ledger;
    }

    /** When this bot first heard MOVE (0), attached to the target (1) and switched (2), or 0 if it did not. */
    long handoffMark(int which) {
        return handoffMarks.get(which);
    }

    int switches() {
        return switched.get();
    }

    int resumes() {
        return resumed.get();
    }

    /** Switched or resumed at least once: the session now lives on another connection, normally another server. */
    boolean moved() {
        return moved.get();
    }

    long refusedSends() {
        synchronized (sendLock) {
            return refused;
        }
    }

    void close() {
        closed = true;
        stopSending();
        BatonClient c = client;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(BatonClient c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            // Closing a session that is already lost: nothing left to release.
        }
    }
}
