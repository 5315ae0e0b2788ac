package io.chatroom;

/**
 * A failure the client caused or must know about, carrying the code it is reported with.
 * The gateway turns it into an HTTP error body or a WebSocket {@code error} frame; anything
 * else thrown is an internal error and is logged, never shown.
 */
public final class ChatException extends RuntimeException {
  private final ErrorCode code;

  public ChatException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
