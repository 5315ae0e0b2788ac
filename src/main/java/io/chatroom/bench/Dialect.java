package io.chatroom.bench;

/**
 * How the load generator speaks to one kind of server: the same joins, sends and deliveries, in that
 * server's own frames. Encoders return a whole text frame; {@link #decode} reads one.
 */
public interface Dialect {
  /** The WebSocket path (and query) to open. */
  String path();

  /** The first frame after the socket opens: it authenticates the session as {@code username}. */
  String hello(String username, String token);

  /** Subscribes to {@code room}, asking for the messages after {@code since}; answered by an OK with the room's last seq. */
  String join(long id, String room, long since);

  /** Posts {@code text} to {@code room}; answered by an OK carrying the message's seq. */
  String send(long id, String room, String text, String clientMsgId);

  /** The answer to a {@link Frame.Kind#PING}; null when the dialect has none. */
  String pong();

  Frame decode(String frame);
}
