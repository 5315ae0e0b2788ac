package io.chatroom.broker;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The single-node broker. Subscriber sets are kept per event-loop thread and only touched on it, so publishing
 * takes no lock: it hands the event to each event loop that has subscribers, in publish order, as one task.
 * Not one task per subscriber's context: every WebSocket connection has a context of its own, and a task per
 * connection per message (plus a selector wake-up for each) is what made fan-out cost O(connections) per
 * message. Each subscriber still runs on its own context, dispatched in place on the shared thread.
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
    loop.rooms.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(bound);
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

  /** Confined to its event loop's thread. */
  private static final class LoopSubscribers {
    final EventLoop eventLoop;
    final Map<String, Set<Bound>> rooms = new HashMap<>();

    LoopSubscribers(EventLoop eventLoop) {
      this.eventLoop = eventLoop;
    }

    void deliver(RoomEvent event) {
      Set<Bound> subscribers = rooms.get(event.room());
      if (subscribers == null) {
        return;
      }
      // a subscriber may cancel (close) while being delivered to: iterate a snapshot
      for (Bound s : subscribers.toArray(Bound[]::new)) {
        s.onEvent(event);
      }
    }

    void resync() {
      for (Set<Bound> subscribers : java.util.List.copyOf(rooms.values())) {
        for (Bound s : subscribers.toArray(Bound[]::new)) {
          s.onResync();
        }
      }
    }

    void remove(String room, Bound subscriber) {
      Set<Bound> subscribers = rooms.get(room);
      if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
        rooms.remove(room);
      }
    }
  }
}
