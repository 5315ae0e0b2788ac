package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.chatroom.room.Room;
import io.chatroom.room.RoomService;

/**
 * A room as clients see it.
 *
 * @param member whether the caller belongs to it (listings only)
 * @param peer   for a direct-message room, the other user's name
 */
public record RoomInfo(String name, String topic, @JsonProperty("private") boolean isPrivate, int members, long lastSeq,
    Boolean member, String peer) {
  public static RoomInfo of(Room room) {
    return new RoomInfo(room.name(), room.topic(), room.isPrivate(), room.members(), room.lastSeq(), null, null);
  }

  public static RoomInfo of(RoomService.Listing listing) {
    Room room = listing.room();
    return new RoomInfo(room.name(), room.topic(), room.isPrivate(), room.members(), room.lastSeq(), listing.member(), listing.peer());
  }

  /** A direct-message room, named for the caller by the other user. */
  public static RoomInfo direct(Room room, String peer) {
    return new RoomInfo(room.name(), room.topic(), room.isPrivate(), room.members(), room.lastSeq(), true, peer);
  }
}
