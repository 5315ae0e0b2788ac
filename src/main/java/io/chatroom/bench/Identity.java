package io.chatroom.bench;

/** Who a bench connection signs in as: a username and the token its hello carries. */
public record Identity(String username, String token) {}
