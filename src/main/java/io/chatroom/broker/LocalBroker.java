package io.chatroom.broker;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The single-node broker. Subscriber sets are kept per event loop and only touched on that loop, so
 * publishing takes no lock: it hands the event to each loop that has subscribers, in publish order.
 */
public final class LocalBroker implements Broker {
  /** One per event-loop context that ever subscribed: a handful (2 x cores), so a list scan is cheapest. */
  private final CopyOnWriteArrayList<LoopSubscribers> loops = new CopyOnWriteArrayList<>();

  @Override
  public void publish(RoomEvent event) {
    for (LoopSubscribers loop : loops) {
      loop.context.runOnContext(v -> loop.deliver(event));
    }
  }

  /** Asks every subscriber, on its own loop, to catch up from the store. */
  public void resync() {
    for (LoopSubscribers loop : loops) {
      loop.context.runOnContext(v -> loop.resync());
    }
  }

  @Override
  public Subscription subscribe(String room, Subscriber subscriber) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("subscribe must be called on a Vert.x context");
    }
    LoopSubscribers loop = loopFor(context);
    loop.rooms.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(subscriber);
    return () -> loop.remove(room, subscriber);
  }

  private synchronized LoopSubscribers loopFor(Context context) {
    for (LoopSubscribers loop : loops) {
      if (loop.context == context) {
        return loop;
      }
    }
    LoopSubscribers loop = new LoopSubscribers(context);
    loops.add(loop);
    return loop;
  }

  /** Confined to its context's thread. */
  private static final class LoopSubscribers {
    final Context context;
    final Map<String, Set<Subscriber>> rooms = new HashMap<>();

    LoopSubscribers(Context context) {
      this.context = context;
    }

    void deliver(RoomEvent event) {
      Set<Subscriber> subscribers = rooms.get(event.room());
      if (subscribers == null) {
        return;
      }
      // a subscriber may cancel (close) while being delivered to: iterate a snapshot
      for (Subscriber s : subscribers.toArray(Subscriber[]::new)) {
        s.onEvent(event);
      }
    }

    void resync() {
      for (Set<Subscriber> subscribers : java.util.List.copyOf(rooms.values())) {
        for (Subscriber s : subscribers.toArray(Subscriber[]::new)) {
          s.onResync();
        }
      }
    }

    void remove(String room, Subscriber subscriber) {
      Set<Subscriber> subscribers = rooms.get(room);
      if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
        rooms.remove(room);
      }
    }
  }
}
