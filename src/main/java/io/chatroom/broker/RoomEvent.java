package io.chatroom.broker;

/**
 * One event for the members of a room, already serialized: the broker and every connection pass the same
 * bytes along, so fan-out never re-encodes.
 *
 * @param seq      the message seq for {@code message} events, 0 for ephemeral ones (presence, typing)
 * @param skipUser a user whose own connections do not receive it (the typist of a typing event), or null
 * @param json     the complete UTF-8 JSON text frame
 */
public record RoomEvent(String room, long seq, String skipUser, byte[] json) {
  public boolean isMessage() {
    return seq > 0;
  }
}
