package io.baton.client;

import io.baton.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The I/O threads that clients run on. One runtime serves any number of clients; create one per process
 * (or per fleet of bots) and close it last. Each client lives on one of the runtime's threads, with all
 * of its connections, so its protocol state needs no locks.
 */
public final class ClientRuntime implements AutoCloseable {

    /**
     * What the names of a runtime's I/O threads begin with, followed by the runtime's and the thread's number
     * ({@code baton-client-io-3-1}): so a thread dump or a profile tells a process's clients from its servers'
     * loops ({@code baton-io-…}).
     */
    public static final String THREAD_NAME = "baton-client-io";

    private final EventLoopGroup group;
    /** Resolves names and opens connections, so that neither ever runs on an I/O thread. */
    private final java.util.concurrent.ExecutorService connector;

    private ClientRuntime(EventLoopGroup group) {
        this.group = group;
        this.connector = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "baton-client-connector");
            t.setDaemon(true);
            return t;
        });
    }

    /** A runtime with {@code ioThreads} I/O threads (native epoll where available). */
    public static ClientRuntime create(int ioThreads) {
        return create(ioThreads, false);
    }

    /**
     * A runtime with {@code ioThreads} I/O threads that, if {@code rehearse}, first takes the client's
     * handoff code through a few hundred scripted handoffs in memory (milliseconds), so that the first
     * real handoff does not run it cold. Worth it where one thread carries many sessions (a fleet of bots,
     * a gateway): cold code there stalls them all at once. Measured, it costs a JVM that compiles with C2
     * about a tenth of a session's peak throughput (most likely because the compiler's profiles then hold
     * every kind of frame at the hot call sites; docs/performance.md), so it is not the default.
     */
    public static ClientRuntime create(int ioThreads, boolean rehearse) {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be positive");
        }
        if (rehearse) {
            ClientRehearsal.run(ClientRehearsal.ROUNDS);
        }
        return new ClientRuntime(Transport.group(ioThreads, THREAD_NAME, Thread.MAX_PRIORITY));
    }

    /**
     * Opens a new session. The future completes once the server has welcomed the session, or fails with
     * {@link SessionLostException} if it cannot be established within the options' resume window.
     */
    public CompletableFuture<BatonClient> connect(ClientOptions options, MessageListener listener) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<BatonClient> result = new CompletableFuture<>();
        SessionDriver driver = new SessionDriver(group.next(), connector, options, listener, result);
        driver.start();
        return result;
    }

    /** Closes every connection at once, without ending sessions; close clients first for a clean end. */
    @Override
    public void close() {
        connector.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
