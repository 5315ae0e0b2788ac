package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Request and response bodies of the HTTP API, one record each. docs/protocol.md documents them. */
public final class HttpBodies {
  private HttpBodies() {}

  public record Credentials(String username, String password) {}

  public record CreateRoom(String name, String topic, @JsonProperty("private") Boolean isPrivate) {}

  public record UsernameRequest(String username) {}

  public record AuthResponse(UserInfo user, String token) {}

  public record RoomsResponse(List<RoomInfo> rooms) {}

  public record RoomResponse(RoomInfo room) {}

  public record MessagesResponse(List<ServerFrame.MessageEvent> messages) {}

  public record ErrorResponse(ErrorBody error) {}

  public record ErrorBody(String code, String message) {}
}
