package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.BatonClient;
import io.baton.client.SendBufferFullException;
import io.baton.service.ServiceConfig;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A bot against the real game, with the network replaced by a queue. */
class BotTest {

    private static final long SESSION = 42;
    /** The bots here are attached to a fake client and never connect: any address will do. */
    private static final Bot.Settings NOWHERE = new Bot.Settings("localhost", 1, false, java.util.List.of(), 0, 0);

    /** A client whose sends wait in a queue until the test delivers them. */
    private static final class QueueClient implements BatonClient {
        final Queue<byte[]> inFlight = new ArrayDeque<>();
        final int capacity;
        boolean closed;

        QueueClient(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public long sessionId() {
            return SESSION;
        }

        @Override
        public void send(byte[] payload) {
            if (!trySend(payload)) {
                throw new SendBufferFullException(capacity);
            }
        }

        @Override
        public boolean trySend(byte[] payload) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (inFlight.size() == capacity) {
                return false;
            }
            return inFlight.add(payload);
        }

        @Override
        public int pendingInputs() {
            return inFlight.size();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Routes the game's outputs for the bot's session to the bot, as the runtime would. */
    private static FakeContext wire(Bot bot) {
        ArenaService game = (ArenaService) new ArenaFactory().create(new ServiceConfig(30, Map.of()));
        return new FakeContext(game).onSend((sessionId, payload) -> {
            if (sessionId == SESSION) {
                bot.onMessage(payload);
            }
        });
    }

    private static void deliver(QueueClient client, FakeContext game, int n) {
        for (int i = 0; i < n && !client.inFlight.isEmpty(); i++) {
            game.input(SESSION, client.inFlight.poll());
        }
    }

    @Test
    void botVerifiesACleanRunAgainstTheGame() throws InterruptedException {
        Bot bot = new Bot(NOWHERE, null, 3, t -> { });
        QueueClient client = new QueueClient(100);
        bot.attach(client);
        FakeContext game = wire(bot);
        game.open(SESSION).open(SESSION + 1).runTick();
        for (int round = 0; round < 50; round++) {
            bot.sendNext();
            if (round % 3 == 0) {
                bot.sendNext();
            }
            deliver(client, game, round % 2 == 0 ? 1 : 5);
            game.runTick();
        }
        bot.stopSending();
        bot.sendNext();
        deliver(client, game, Integer.MAX_VALUE);
        game.runTick();
        assertThat(bot.ledger().awaitApplied(0, TimeUnit.SECONDS)).isTrue();
        BotLedger.Verdict v = bot.ledger().verdict();
        assertThat(v.problems()).isEmpty();
        assertThat(v.sent()).isEqualTo(67);
        assertThat(v.updates()).isEqualTo(52);
        bot.close();
        assertThat(client.closed).isTrue();
    }

    @Test
    void botCatchesAGameThatNeverAppliesAnInput() throws InterruptedException {
        Bot bot = new Bot(NOWHERE, null, 3, t -> { });
        QueueClient client = new QueueClient(100);
        bot.attach(client);
        FakeContext game = wire(bot);
        game.open(SESSION).runTick();
        for (int i = 0; i < 5; i++) {
            bot.sendNext();
        }
        deliver(client, game, 2);
        client.inFlight.poll();
        deliver(client, game, 2);
        game.runTick();
        bot.stopSending();
        assertThat(bot.ledger().awaitApplied(1, TimeUnit.MILLISECONDS)).isFalse();
        BotLedger.Verdict v = bot.ledger().verdict();
        assertThat(v.inputsLost()).isEqualTo(1);
        assertThat(v.countMatches()).isFalse();
        assertThat(v.hashMatches()).isFalse();
    }

    @Test
    void refusedSendIsNotCountedAsSent() {
        Bot bot = new Bot(NOWHERE, null, 3, t -> { });
        QueueClient client = new QueueClient(2);
        bot.attach(client);
        for (int i = 0; i < 5; i++) {
            bot.sendNext();
        }
        assertThat(bot.ledger().sent()).isEqualTo(2);
        assertThat(bot.refusedSends()).isEqualTo(3);
    }

    @Test
    void garbageOutputIsAMalformedUpdate() {
        Bot bot = new Bot(NOWHERE, null, 3, t -> { });
        bot.onMessage(new byte[] {9, 9, 9});
        assertThat(bot.ledger().verdict().malformedUpdates()).isEqualTo(1);
        assertThat(bot.ledger().verdict().ok()).isFalse();
    }
}
