package io.chatroom.gateway;

import io.chatroom.broker.Broker;
import io.chatroom.broker.RoomEvent;
import io.chatroom.message.Message;
import io.chatroom.message.MessageHistory;
import io.chatroom.room.RoomRef;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One connection's place in one room it joined (or is joining), and the rule that makes delivery exactly once
 * and in order whatever the broker does: it keeps the highest seq written to the client, writes a message
 * event only when it is the next seq, drops an older one as a duplicate, and on a newer one (a gap) reads the
 * missing messages from the store first while later events wait. Confined to its connection's event loop.
 */
final class RoomFeed {
  /** Where a feed's frames go: its connection. */
  interface Client {
    /** Writes a fan-out event (one the broker delivered). */
    void live(byte[] json);

    /** Writes a message read from the store. */
    void replayed(Message message);

    /** The room was deleted; {@code json} tells the client so. Nothing can follow. */
    void deleted(RoomFeed feed, byte[] json);

    /** The store could not fill a gap: the client must reconnect and resume with since. */
    void fillFailed(RoomFeed feed, Throwable cause);
  }

  /** Reads the committed messages after a seq, ascending: {@link MessageHistory#after}. */
  interface Backfill {
    Future<List<Message>> after(long roomId, String room, long after, int limit);
  }

  final String name;
  private final String username;
  private final Client client;
  private final Backfill backfill;
  RoomRef room;
  Broker.Subscription subscription;
  boolean inPresence;
  /** The join's ok has been sent. */
  private boolean joined;
  /** Highest seq written to the client. */
  private long delivered;
  /** Events waiting while the client is brought up to date from the store; null when live. */
  private ArrayDeque<RoomEvent> held = new ArrayDeque<>();
  /** Set when this feed leaves its connection (left, lost, failed to join, closed): late results are ignored. */
  private boolean dropped;

  /** @param username the connection's user, whose own typing is not echoed back */
  RoomFeed(String name, String username, Client client, Backfill backfill) {
    this.name = name;
    this.username = username;
    this.client = client;
    this.backfill = backfill;
  }

  boolean isCurrent() {
    return !dropped;
  }

  void drop() {
    dropped = true;
  }

  boolean isJoined() {
    return joined;
  }

  long delivered() {
    return delivered;
  }

  /**
   * The join's replay (up to {@code caughtUp}) and its ok have been written: from now on events are written
   * live, starting with those that arrived meanwhile.
   */
  void goLive(long caughtUp) {
    delivered = caughtUp;
    joined = true;
    release();
  }

  /** An event from the broker. */
  void onEvent(RoomEvent event) {
    if (dropped) {
      return;
    }
    if (event.isDeletion()) {
      client.deleted(this, event.json()); // what was held is gone with the room
      return;
    }
    if (held != null) {
      held.add(event);
    } else {
      deliver(event);
    }
  }

  /** The broker may have missed events: read what came after the last delivered seq, if live. */
  void catchUp() {
    if (dropped || !joined || held != null) {
      return; // joining replays anyway; a fill in progress reads up to date
    }
    held = new ArrayDeque<>();
    fillFromStore();
  }

  /** Writes a live event, or starts filling a gap when a message arrives ahead of the next expected seq. */
  private void deliver(RoomEvent event) {
    if (!event.isMessage()) {
      if (!username.equals(event.skipUser())) {
        client.live(event.json());
      }
      return;
    }
    if (event.seq() <= delivered) {
      return;
    }
    if (event.seq() == delivered + 1) {
      delivered = event.seq();
      client.live(event.json());
      return;
    }
    held = new ArrayDeque<>();
    held.add(event);
    fillFromStore();
  }

  /** Delivers from the store what follows the last delivered seq, then the events held meanwhile. */
  private void fillFromStore() {
    backfill.after(room.id(), room.name(), delivered, MessageHistory.REPLAY_MAX).onComplete(ar -> {
      if (dropped) {
        return;
      }
      if (ar.failed()) {
        client.fillFailed(this, ar.cause());
        return;
      }
      for (Message m : ar.result()) {
        if (m.seq() == delivered + 1) {
          delivered = m.seq();
          client.replayed(m);
        }
      }
      if (ar.result().size() == MessageHistory.REPLAY_MAX) {
        fillFromStore(); // more than one read's worth was missed
      } else {
        release();
      }
    });
  }

  /** Goes live: delivers the events held while catching up, in arrival order. */
  private void release() {
    ArrayDeque<RoomEvent> waiting = held;
    held = null;
    while (waiting != null && !waiting.isEmpty() && !dropped) {
      RoomEvent next = waiting.poll();
      if (held != null) {
        held.add(next); // a new gap opened: the rest waits behind it
      } else {
        deliver(next);
      }
    }
  }
}
