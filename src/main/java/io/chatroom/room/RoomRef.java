package io.chatroom.room;

/**
 * What addresses a room and decides who may enter it: the part of a {@link Room} that never changes while
 * the room exists (rooms are never renamed or made public or private; an operator may delete one, which
 * tells the nodes to forget it). Nodes cache it, so it carries nothing that changes, such as the member
 * count or the last seq.
 */
public record RoomRef(long id, String name, boolean isPrivate) {}
