package io.chatroom.message;

/**
 * A committed message. {@code seq} is per room, starts at 1 and has no gaps; {@code ts} is epoch
 * milliseconds at commit; {@code clientMsgId} is null when the sender gave none.
 *
 * @param replyTo     the seq of the message in the same room this one answers (the assistant's answers); null otherwise
 * @param interrupted the answer broke off before it was complete; its text ends with a marker saying so
 */
public record Message(long roomId, String room, long seq, long userId, String from, String text, long ts, String clientMsgId,
    Long replyTo, boolean interrupted) {
  /** A message that answers nothing. */
  public Message(long roomId, String room, long seq, long userId, String from, String text, long ts, String clientMsgId) {
    this(roomId, room, seq, userId, from, text, ts, clientMsgId, null, false);
  }
}
