package io.chatroom.broker;

/**
 * Per-room publish/subscribe across every node of the cluster.
 *
 * <p>Guarantees: at-most-once delivery (a broker is a fast path; subscribers repair gaps in message seqs from
 * the store). Events published by one thread for one room reach each subscriber in that order. A subscriber
 * is called on the Vert.x context it subscribed from, never concurrently with itself.
 */
public interface Broker {
  /** Sends {@code event} to every subscriber of its room. Callable from any thread. */
  void publish(RoomEvent event);

  /** Starts delivering {@code room}'s events to {@code subscriber}. Call on an event loop. */
  Subscription subscribe(String room, Subscriber subscriber);

  /** Receives the events of the rooms it subscribed to. */
  @FunctionalInterface
  interface Subscriber {
    void onEvent(RoomEvent event);

    /**
     * The broker may have missed events (its link to the other nodes dropped and is back): catch up from
     * the store. Called on the subscriber's context.
     */
    default void onResync() {}
  }

  /** Stops delivery. Call on the context that subscribed; idempotent. */
  @FunctionalInterface
  interface Subscription {
    void cancel();
  }
}
