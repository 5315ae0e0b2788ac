package io.chatroom.room;

/**
 * A room as stored.
 *
 * @param members how many users belong to it (not how many are online)
 * @param lastSeq the seq of its newest message, 0 when it has none
 */
public record Room(long id, String name, String topic, boolean isPrivate, int members, long lastSeq) {
  /** Direct-message rooms are named after their two users' ids; ordinary rooms may not take this prefix. */
  static final String DM_PREFIX = "dm-";

  public boolean isDirect() {
    return name.startsWith(DM_PREFIX);
  }

  public RoomRef ref() {
    return new RoomRef(id, name, isPrivate);
  }
}
