package io.baton.server;

/**
 * Told around each timer the driver runs into the core: the one place the driver knows both when the core
 * asked to be polled and when it was. Called on the core's loop; must not allocate.
 */
interface PollObserver {

    PollObserver NONE = new PollObserver() {
        @Override
        public void polling() {
        }

        @Override
        public void polled(long dueAt, long ranAt) {
        }
    };

    /** Just before the core's poll. */
    void polling();

    /** Just after it: {@code dueAt} is the deadline the core had asked for, {@code ranAt} when the poll began. */
    void polled(long dueAt, long ranAt);
}
