package io.chatroom.broker;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The single-node broker. Subscriber sets are kept per event-loop thread and only touched on it, so publishing
 * takes no lock: it hands the event to each event loop that has subscribers, in publish order, as one task.
 * Not one task per subscriber: a task per connection per message (plus a selector wake-up for each) is what
 * made fan-out cost O(connections) per message. Each subscriber still runs on its own context, dispatched in place on the shared thread.
 */
public final class LocalBroker implements Broker {
  /** One per event-loop thread that ever had a subscriber: a handful (2 x cores), so a list scan is cheapest. */
  private final CopyOnWriteArrayList<LoopSubscribers> loops = new CopyOnWriteArrayList<>();

  @Override
  public void publish(RoomEvent event) {
    for (LoopSubscribers loop : loops) {
      loop.eventLoop.execute(() -> loop.deliver(event));
    }
  }

  /** Asks every subscriber, on its own loop, to catch up from the store. */
  public void resync() {
    for (LoopSubscribers loop : loops) {
      loop.eventLoop.execute(loop::resync);
    }
  }

  @Override
  public Subscription subscribe(String room, Subscriber subscriber) {
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      throw new IllegalStateException("subscribe must be called on an event-loop context");
    }
    LoopSubscribers loop = loopFor(context.nettyEventLoop());
    Bound bound = new Bound(subscriber, context);
    loop.subscribe(room, bound);
    return () -> {
      if (loop.eventLoop.inEventLoop()) {
        loop.remove(room, bound);
      } else {
        loop.eventLoop.execute(() -> loop.remove(room, bound));
      }
    };
  }

  private synchronized LoopSubscribers loopFor(EventLoop eventLoop) {
    for (LoopSubscribers loop : loops) {
      if (loop.eventLoop == eventLoop) {
        return loop;
      }
    }
    LoopSubscribers loop = new LoopSubscribers(eventLoop);
    loops.add(loop);
    return loop;
  }

  /** A subscriber and the context its events run on (identity, not value, equality: a set holds each once). */
  private static final class Bound {
    final Subscriber subscriber;
    final ContextInternal context;

    Bound(Subscriber subscriber, ContextInternal context) {
      this.subscriber = subscriber;
      this.context = context;
    }

    void onEvent(RoomEvent event) {
      context.dispatch(event, subscriber::onEvent);
    }

    void onResync() {
      context.dispatch(v -> subscriber.onResync());
    }
  }

  /** One room's subscribers on one loop, with a snapshot to deliver over that is rebuilt only after a change. */
  private static final class RoomSubscribers {
    final Set<Bound> members = new LinkedHashSet<>();
    /** A subscriber may cancel (close) while being delivered to, so delivery walks a copy; null when stale. */
    private Bound[] snapshot;

    Bound[] snapshot() {
      if (snapshot == null) {
        snapshot = members.toArray(Bound[]::new);
      }
      return snapshot;
    }

    void add(Bound bound) {
      if (members.add(bound)) {
        snapshot = null;
      }
    }

    boolean remove(Bound bound) {
      if (members.remove(bound)) {
        snapshot = null;
        return true;
      }
      return false;
    }
  }

  /** Confined to its event loop's thread. */
  private static final class LoopSubscribers {
    final EventLoop eventLoop;
    final Map<String, RoomSubscribers> rooms = new HashMap<>();

    LoopSubscribers(EventLoop eventLoop) {
      this.eventLoop = eventLoop;
    }

    void subscribe(String room, Bound bound) {
      rooms.computeIfAbsent(room, r -> new RoomSubscribers()).add(bound);
    }

    void deliver(RoomEvent event) {
      RoomSubscribers subscribers = rooms.get(event.room());
      if (subscribers == null) {
        return;
      }
      for (Bound s : subscribers.snapshot()) {
        s.onEvent(event);
      }
    }

    void resync() {
      for (RoomSubscribers subscribers : List.copyOf(rooms.values())) {
        for (Bound s : subscribers.snapshot()) {
          s.onResync();
        }
      }
    }

    void remove(String room, Bound subscriber) {
      RoomSubscribers subscribers = rooms.get(room);
      if (subscribers != null && subscribers.remove(subscriber) && subscribers.members.isEmpty()) {
        rooms.remove(room);
      }
    }
  }
}
