package io.chatroom.message;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;

/**
 * A message a user asked to send, checked but not yet committed.
 *
 * @param replyTo     the seq of the message this one answers (the assistant's answers), or null
 * @param interrupted the answer broke off before it was complete (see {@link Message#interrupted()})
 */
public record Draft(long roomId, String room, long userId, String from, String text, String clientMsgId, Long replyTo,
    boolean interrupted) {
  /** Counted in code points, so an emoji is one character as the user sees it. */
  public static final int MAX_TEXT = 4000;
  public static final int MAX_CLIENT_MSG_ID = 64;

  public Draft {
    if (text == null || text.isBlank()) {
      throw new ChatException(ErrorCode.EMPTY_MESSAGE, "message text is empty");
    }
    if (text.length() > MAX_TEXT && text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw new ChatException(ErrorCode.MESSAGE_TOO_LONG, "message text is over " + MAX_TEXT + " characters");
    }
    if (clientMsgId != null && (clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID)) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "clientMsgId must be 1-" + MAX_CLIENT_MSG_ID + " characters");
    }
  }

  /** A message that answers nothing. */
  public Draft(long roomId, String room, long userId, String from, String text, String clientMsgId) {
    this(roomId, room, userId, from, text, clientMsgId, null, false);
  }
}
