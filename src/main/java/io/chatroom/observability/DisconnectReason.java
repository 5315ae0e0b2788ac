package io.chatroom.observability;

/** Why a WebSocket connection ended: the fixed label set of {@code chatroom_websocket_disconnections_total}. */
public enum DisconnectReason {
  /** The client closed, or the network dropped it. */
  CLIENT("client"),
  /** No hello, a bad token, or abuse after repeated refusals. */
  POLICY("policy"),
  /** A ping went unanswered. */
  PING_TIMEOUT("ping_timeout"),
  /** The send queue filled: the client does not read fast enough. */
  SLOW_CONSUMER("slow_consumer"),
  /** A frame over the size limit. */
  TOO_BIG("too_big"),
  /** A frame that breaks the WebSocket protocol: text that is not UTF-8, an unknown opcode. */
  PROTOCOL("protocol"),
  /** The node could not deliver (a store read failed) or is overloaded. */
  SERVER_ERROR("server_error"),
  /** The node is shutting down. */
  SHUTDOWN("shutdown");

  public final String label;

  DisconnectReason(String label) {
    this.label = label;
  }
}
