package io.chatroom.gateway.protocol;

import io.chatroom.account.User;

/** A user as clients see them, in HTTP bodies and the {@code welcome} frame. */
public record UserInfo(long id, String username) {
  public static UserInfo of(User user) {
    return new UserInfo(user.id(), user.username());
  }
}
