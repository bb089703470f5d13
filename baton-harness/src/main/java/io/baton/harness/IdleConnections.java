package io.baton.harness;

/** {@link Fault.Action#IDLE_CONNECTIONS}: 3,000 connections that send nothing at all. */
final class IdleConnections implements StrangerAct {
    @Override
    public void begin(Strangers s, int port, int targetPeerPort) {
        for (int i = 0; i < Strangers.IDLE_CONNECTIONS; i++) {
            s.connect(port, true, false, new StrangerFrames(s));
        }
    }

    /** Every connection closed by the server. */
    @Override
    public boolean kept(Strangers s) {
        return s.everyConnectionClosedByServer(intended());
    }

    @Override
    public int intended() {
        return Strangers.IDLE_CONNECTIONS;
    }

    @Override
    public void awaitDone(Strangers s, long millis) throws InterruptedException {
        Strangers.waitFor(() -> kept(s), millis);
    }
}
