package io.chatroom.account;

/** A registered user as the rest of the server sees it: no credentials. */
public record User(long id, String username) {}
