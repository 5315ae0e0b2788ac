package io.chatroom.limits;

/**
 * A rate limit's settings: {@code perSecond} steady, {@code burst} at once.
 *
 * @param perSecond positive
 * @param burst     at least 1
 */
public record Rate(double perSecond, int burst) {}
