package io.chatroom.broker;

/**
 * One event for the members of a room, already serialized: the broker and every connection pass the same
 * bytes along, so fan-out never re-encodes.
 *
 * @param seq      the message seq for {@code message} events, 0 for ephemeral ones (presence, typing),
 *                 {@value #DELETED} when the room was deleted
 * @param skipUser a user whose own connections do not receive it (the typist of a typing event), or null
 * @param json     the complete UTF-8 JSON text frame
 */
public record RoomEvent(String room, long seq, String skipUser, byte[] json) {
  /** The seq that marks a deletion: the last event of a room, after which subscribers let go of it. */
  public static final long DELETED = -1;

  /** The room is gone (an operator deleted it): {@code json} tells the clients, and subscriptions end. */
  public static RoomEvent deleted(String room, byte[] json) {
    return new RoomEvent(room, DELETED, null, json);
  }

  public boolean isMessage() {
    return seq > 0;
  }

  public boolean isDeletion() {
    return seq == DELETED;
  }
}
