package io.chatroom.bench;

/**
 * One decoded frame from a server under test, reduced to what the load generator acts on. {@code id} is the
 * request id a reply answers (-1 for events); {@code seq} is a message's or an ack's room sequence number, or a
 * join's last seq; {@code text} is a message's text; {@code code} an error's code.
 */
public record Frame(Kind kind, long id, String room, long seq, String text, String code) {
  public enum Kind {
    /** The session is authenticated (chatroom {@code welcome}, Socket.IO namespace connect). */
    READY,
    /** A reply to a request: a join's or a send's ok. */
    OK,
    /** A request failed, or the session was refused ({@code id} -1). */
    ERROR,
    /** A chat message delivered to a room this connection joined. */
    MESSAGE,
    /** The server asks for a protocol-level answer (Socket.IO ping): send {@link Dialect#pong()}. */
    PING,
    /** Anything else (presence, typing, Engine.IO open): nothing to do. */
    OTHER
  }

  static final Frame OTHER = new Frame(Kind.OTHER, -1, null, 0, null, null);
  static final Frame PING = new Frame(Kind.PING, -1, null, 0, null, null);
  static final Frame READY = new Frame(Kind.READY, -1, null, 0, null, null);

  static Frame ok(long id, String room, long seq) {
    return new Frame(Kind.OK, id, room, seq, null, null);
  }

  static Frame error(long id, String code) {
    return new Frame(Kind.ERROR, id, null, 0, null, code);
  }

  static Frame message(String room, long seq, String text) {
    return new Frame(Kind.MESSAGE, -1, room, seq, text, null);
  }
}
