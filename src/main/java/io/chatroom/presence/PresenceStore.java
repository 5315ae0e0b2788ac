package io.chatroom.presence;

import io.vertx.core.Future;
import java.util.List;

/**
 * Who is online in which room, counted per connection so a user with several tabs is online once.
 * Implementations may be shared by nodes; each connection id is unique cluster-wide.
 *
 * <p>The store also remembers whose arrival was announced to the room, because a departure is announced exactly
 * when the arrival was: a user who came online while the room was crowded leaves silently, and one announced
 * while it was small is seen leaving even if the tab that leaves last joined after the room filled up.
 */
public interface PresenceStore {
  /** What a connection's leaving meant for its user in the room. */
  enum Departure {
    /** The user has another connection in the room, or this one was not there. */
    STILL_THERE,
    /** The user's last connection left; their arrival was never announced, so neither is this. */
    GONE_UNANNOUNCED,
    /** The user's last connection left and their arrival was announced: announce that they went offline. */
    GONE
  }

  /**
   * Marks the connection present in the room; true when it is the user's first there (the user came online).
   * A first connection starts unannounced.
   */
  Future<Boolean> join(String room, String user, String connectionId);

  /** Records that the user's arrival in the room was announced, so their departure will be. */
  Future<Void> announced(String room, String user);

  /** Removes the connection from the room. */
  Future<Departure> leave(String room, String user, String connectionId);

  /** Usernames online in the room, sorted. */
  Future<List<String>> online(String room);
}
