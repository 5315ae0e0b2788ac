package io.chatroom.presence;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Presence for a single node, in memory. Calls are short and rare next to messages, so one lock is enough. */
public final class LocalPresenceStore implements PresenceStore {
  /**
   * Users kept in the order {@link #online} returns them: every join asks for the list, and sorting 5,000 names
   * per join made filling a big room quadratic in time (the broadcast bench's set-up).
   */
  private final Map<String, TreeMap<String, Present>> rooms = new HashMap<>();

  /** One user in one room: their connections there, and whether their arrival was announced. */
  private static final class Present {
    final Set<String> connections = new HashSet<>();
    boolean announced;
  }

  @Override
  public synchronized Future<Boolean> join(String room, String user, String connectionId) {
    Present present = rooms.computeIfAbsent(room, r -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER))
        .computeIfAbsent(user, u -> new Present());
    boolean first = present.connections.isEmpty();
    present.connections.add(connectionId);
    return Future.succeededFuture(first);
  }

  @Override
  public synchronized Future<Void> announced(String room, String user) {
    TreeMap<String, Present> users = rooms.get(room);
    Present present = users == null ? null : users.get(user);
    if (present != null) {
      present.announced = true;
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Departure> leave(String room, String user, String connectionId) {
    TreeMap<String, Present> users = rooms.get(room);
    Present present = users == null ? null : users.get(user);
    if (present == null || !present.connections.remove(connectionId) || !present.connections.isEmpty()) {
      return Future.succeededFuture(Departure.STILL_THERE);
    }
    users.remove(user);
    if (users.isEmpty()) {
      rooms.remove(room);
    }
    return Future.succeededFuture(present.announced ? Departure.GONE : Departure.GONE_UNANNOUNCED);
  }

  @Override
  public synchronized Future<List<String>> online(String room) {
    TreeMap<String, Present> users = rooms.get(room);
    return Future.succeededFuture(users == null ? new ArrayList<>() : new ArrayList<>(users.keySet()));
  }
}
