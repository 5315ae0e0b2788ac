package io.chatroom.message;

/**
 * A committed message. {@code seq} is per room, starts at 1 and has no gaps; {@code ts} is epoch
 * milliseconds at commit; {@code clientMsgId} is null when the sender gave none.
 */
public record Message(long roomId, String room, long seq, long userId, String from, String text, long ts, String clientMsgId) {}
