package io.baton.sim;

/** Replays one seed with a narration: {@code java -cp ... io.baton.sim.Replay SEED}. */
final class Replay {

    private Replay() {
    }

    public static void main(String[] args) {
        Simulation.Result r = Simulation.replay(Long.parseLong(args[0]), System.out::println);
        System.out.println(r);
    }
}
