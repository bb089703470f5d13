package io.baton.harness;

import io.baton.server.BatonServer;
import io.baton.server.ServerObserver;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import org.slf4j.LoggerFactory;

/**
 * The main class of a source that the {@code kill-source-during-cutover} fault strikes: it makes every
 * server of its process halt, as kill -9 would, the instant the burst that sent CUTOVER to the target is
 * flushed (the clients have every output up to the cut, none has heard SWITCH), then runs the product's
 * main class, named by its first argument, with the rest. The product itself carries no such fault.
 */
public final class HaltAfterCutoverFlushed {

    private HaltAfterCutoverFlushed() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        BatonServer.observeEveryServer(new ServerObserver() {
            @Override
            public void cutoverFlushed(long index) {
                LoggerFactory.getLogger("baton.harness").warn(
                        "halting on purpose: CUTOVER for index {} sent (fault kill-source-during-cutover)", index);
                Runtime.getRuntime().halt(137);
            }
        });
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
