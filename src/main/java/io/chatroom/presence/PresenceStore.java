package io.chatroom.presence;

import io.vertx.core.Future;
import java.util.List;

/**
 * Who is online in which room, counted per connection so a user with several tabs is online once.
 * Implementations may be shared by nodes; each connection id is unique cluster-wide.
 */
public interface PresenceStore {
  /** Marks the connection present in the room; true when it is the user's first there (the user came online). */
  Future<Boolean> join(String room, String user, String connectionId);

  /** Removes the connection from the room; true when it was the user's last there (the user went offline). */
  Future<Boolean> leave(String room, String user, String connectionId);

  /** Usernames online in the room, sorted. */
  Future<List<String>> online(String room);
}
