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
  private final Map<String, TreeMap<String, Set<String>>> rooms = new HashMap<>();

  @Override
  public synchronized Future<Boolean> join(String room, String user, String connectionId) {
    Set<String> connections = rooms.computeIfAbsent(room, r -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER))
        .computeIfAbsent(user, u -> new HashSet<>());
    boolean first = connections.isEmpty();
    connections.add(connectionId);
    return Future.succeededFuture(first);
  }

  @Override
  public synchronized Future<Boolean> leave(String room, String user, String connectionId) {
    TreeMap<String, Set<String>> users = rooms.get(room);
    Set<String> connections = users == null ? null : users.get(user);
    if (connections == null || !connections.remove(connectionId)) {
      return Future.succeededFuture(false);
    }
    if (!connections.isEmpty()) {
      return Future.succeededFuture(false);
    }
    users.remove(user);
    if (users.isEmpty()) {
      rooms.remove(room);
    }
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<List<String>> online(String room) {
    TreeMap<String, Set<String>> users = rooms.get(room);
    return Future.succeededFuture(users == null ? new ArrayList<>() : new ArrayList<>(users.keySet()));
  }
}
