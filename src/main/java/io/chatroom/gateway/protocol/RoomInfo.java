package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.chatroom.room.Room;

/** A room as clients see it. */
public record RoomInfo(String name, String topic, @JsonProperty("private") boolean isPrivate, int members, long lastSeq) {
  public static RoomInfo of(Room room) {
    return new RoomInfo(room.name(), room.topic(), room.isPrivate(), room.members(), room.lastSeq());
  }
}
