package io.chatroom.message;

/** The outcome of one send: the committed message, and whether it had been committed before (a retry). */
public record Appended(Message message, boolean duplicate) {}
