package io.baton.bench;

import io.baton.service.Context;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import java.io.InputStream;

/**
 * The {@code echo} service: every input comes straight back to its session as an output. Stateless, so
 * a throughput figure measures the session layer (sequencing, acknowledgement, resend buffers) and
 * nothing of a game.
 */
public final class EchoFactory implements ServiceFactory {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public Service create(ServiceConfig config) {
        return new Echo();
    }

    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) {
        return new Echo();
    }

    private static final class Echo implements Service {
        @Override
        public int schemaVersion() {
            return 1;
        }

        @Override
        public void onSessionOpened(long sessionId, Context ctx) {
        }

        @Override
        public void onInput(long sessionId, byte[] payload, Context ctx) {
            ctx.send(sessionId, payload);
        }

        @Override
        public void onTick(Context ctx) {
        }

        @Override
        public void onSessionClosed(long sessionId, Context ctx) {
        }

        @Override
        public Snapshot snapshot() {
            return Snapshot.ofBytes(new byte[0]);
        }

        @Override
        public long digest() {
            return 0;
        }
    }
}
