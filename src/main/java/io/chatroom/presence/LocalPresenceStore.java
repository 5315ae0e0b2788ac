package io.chatroom.presence;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Presence for a single node, in memory. Calls are short and rare next to messages, so one lock is enough. */
public final class LocalPresenceStore implements PresenceStore {
  private final Map<String, Map<String, Set<String>>> rooms = new HashMap<>();

  @Override
  public synchronized Future<Boolean> join(String room, String user, String connectionId) {
    Set<String> connections = rooms.computeIfAbsent(room, r -> new HashMap<>()).computeIfAbsent(user, u -> new HashSet<>());
    boolean first = connections.isEmpty();
    connections.add(connectionId);
    return Future.succeededFuture(first);
  }

  @Override
  public synchronized Future<Boolean> leave(String room, String user, String connectionId) {
    Map<String, Set<String>> users = rooms.get(room);
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
    List<String> users = new ArrayList<>(rooms.getOrDefault(room, Map.of()).keySet());
    users.sort(String.CASE_INSENSITIVE_ORDER);
    return Future.succeededFuture(users);
  }
}
