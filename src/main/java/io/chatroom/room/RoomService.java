package io.chatroom.room;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.account.User;
import io.chatroom.cache.SharedCache;
import io.chatroom.cache.TwoLevelCache;
import io.chatroom.observability.Metrics;
import io.chatroom.store.Database;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rooms, membership and access rules. Public rooms are readable by everyone and joined on demand;
 * private rooms (direct messages included) only by their members. Futures complete on the caller's context.
 *
 * <p>{@link #join} and {@link #readable} (every WebSocket join, every history page) answer from caches;
 * listings and the answers of create, add-member and direct read the database, since they show the member
 * count and last seq, which change all the time.
 */
public final class RoomService {
  /**
   * Rooms by name. Only rooms that exist are cached, and what is cached ({@link RoomRef}) never changes while
   * the room exists, so creating a room invalidates nothing. Deleting one does: see {@link #delete}.
   */
  static final TwoLevelCache.Settings ROOMS = new TwoLevelCache.Settings("rooms", 10_000, Duration.ofMinutes(5), Duration.ofMinutes(10));
  /**
   * Who belongs to which room, cached only where nodes share Redis. Only "is a member" is cached: adding a
   * member then invalidates nothing, so a user added on one node may enter on another at once. A
   * membership ends only through {@code chatroom user demote} or a room deletion, which tell the nodes through
   * Redis; without Redis the CLI could not, so a single node reads memberships from the database each time.
   */
  public static final TwoLevelCache.Settings MEMBERSHIPS =
      new TwoLevelCache.Settings("memberships", 100_000, Duration.ofSeconds(30), Duration.ofMinutes(5));

  /** Everyone starts in general; alerts go to ops ({@code Admins.OPS_ROOM}). Neither may be deleted. */
  public static final Set<String> UNDELETABLE = Set.of("general", "ops");
  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");
  static final int MAX_TOPIC = 256;
  private static final String ROOM_COLUMNS = "r.id, r.name, r.topic, r.is_private, r.last_seq,"
      + " (SELECT COUNT(*) FROM room_members m WHERE m.room_id = r.id)";
  private static final String SELECT_ROOM = "SELECT " + ROOM_COLUMNS + " FROM rooms r ";
  /**
   * The room columns plus, for the user bound to the first two parameters: whether they belong to it (7th)
   * and, for a direct-message room, its other member, or themselves in a room of one (8th).
   */
  private static final String SELECT_LISTING = "SELECT " + ROOM_COLUMNS + ","
      + " EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = ?),"
      + " CASE WHEN r.name LIKE '" + Room.DM_PREFIX + "%' THEN (SELECT u.username FROM room_members m"
      + " JOIN users u ON u.id = m.user_id WHERE m.room_id = r.id"
      + " ORDER BY CASE WHEN m.user_id = ? THEN 1 ELSE 0 END, m.user_id LIMIT 1) END"
      + " FROM rooms r ";

  private final Database db;
  private final TwoLevelCache<String, RoomRef> rooms;
  /** Null on a single node (no shared cache): see {@link #MEMBERSHIPS}. */
  private final TwoLevelCache<Membership, Boolean> memberships;

  /** @param shared the cache the nodes share, or null on a single node */
  public RoomService(Database db, SharedCache shared, Metrics metrics) {
    this.db = db;
    this.rooms = new TwoLevelCache<>(ROOMS, RoomRef.class, name -> name,
        name -> db.read(c -> find(c, name).map(Room::ref).orElse(null)), shared, metrics);
    this.memberships = shared == null ? null : new TwoLevelCache<>(MEMBERSHIPS, Boolean.class, Membership::key,
        m -> db.read(c -> isMember(c, m.roomId(), m.userId()) ? Boolean.TRUE : null), shared, metrics);
  }

  private record Membership(long roomId, long userId) {
    String key() {
      return membershipKey(roomId, userId);
    }
  }

  private static String membershipKey(long roomId, long userId) {
    return roomId + ":" + userId;
  }

  /**
   * Tells every node to forget whether {@code userId} belongs to {@code roomId}: for a membership changed
   * outside the nodes ({@code chatroom user demote} ends one). Fails when the shared cache did not take it.
   */
  public static Future<Void> membershipChanged(SharedCache shared, long roomId, long userId) {
    return shared.invalidate(MEMBERSHIPS.name(), membershipKey(roomId, userId));
  }

  /**
   * Tells every node to forget a deleted room and its memberships: for a deletion made outside the nodes
   * ({@code chatroom room delete}). Fails when the shared cache did not take it; then nodes may go on using the
   * room's old identity for at most {@link #unannouncedStaleness()} (joins and sends still fail: the room is
   * gone from the database).
   */
  public static Future<Void> announce(SharedCache shared, Deleted deleted) {
    List<Future<Void>> all = new ArrayList<>();
    all.add(shared.invalidate(ROOMS.name(), deleted.name()));
    for (long member : deleted.members()) {
      all.add(membershipChanged(shared, deleted.id(), member));
    }
    return Future.all(all).mapEmpty();
  }

  /** How long nodes may hold a deleted room's identity when nobody told them: the rooms cache's lifetime. */
  public static java.time.Duration unannouncedStaleness() {
    return ROOMS.staleAtMost();
  }

  /** A room in a user's listing: whether they belong to it and, for a direct-message room, who the other user is. */
  public record Listing(Room room, boolean member, String peer) {}

  /** Public rooms plus the private rooms {@code user} belongs to, by name. */
  public Future<List<Listing>> list(User user) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_LISTING
          + "WHERE r.is_private = FALSE OR EXISTS"
          + " (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = ?) ORDER BY r.name")) {
        ps.setLong(1, user.id());
        ps.setLong(2, user.id());
        ps.setLong(3, user.id());
        List<Listing> rooms = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rooms.add(new Listing(read(rs), rs.getBoolean(7), rs.getString(8)));
          }
        }
        return rooms;
      }
    });
  }

  /** Creates a room with its creator as the first member; {@code room_exists} when the name is taken. */
  public Future<Room> create(User creator, String name, String topic, boolean isPrivate) {
    try {
      checkName(name);
      checkTopic(topic);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    return db.transaction(c -> {
      long id = insertRoom(c, name, topic == null ? "" : topic, isPrivate)
          .orElseThrow(() -> new ChatException(ErrorCode.ROOM_EXISTS, "room '" + name + "' already exists"));
      // created on purpose: a name deleted before may be used again
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM deleted_rooms WHERE name = ?")) {
        ps.setString(1, name);
        ps.executeUpdate();
      }
      addMembership(c, id, creator.id());
      return find(c, name).orElseThrow();
    });
  }

  /**
   * The room {@code user} wants to chat in, joining it as a member: a public room that does not exist is
   * created; a private room needs prior membership ({@code forbidden} otherwise).
   */
  public Future<RoomRef> join(User user, String name) {
    try {
      checkValidName(name);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    // Most joins are by existing members: answer those from the caches, or with reads, so they never take
    // SQLite's write lock.
    return rooms.get(name).compose(room -> {
      if (room == null) {
        return name.startsWith(Room.DM_PREFIX) ? Future.failedFuture(notFound(name)) : joinInTransaction(user, name);
      }
      return isMember(room, user).compose(member -> {
        if (member) {
          return Future.succeededFuture(room);
        }
        return room.isPrivate() ? Future.failedFuture(forbidden(name)) : joinInTransaction(user, name);
      });
    });
  }

  /** Creates the public room if need be (unless it was deleted) and makes {@code user} a member. */
  private Future<RoomRef> joinInTransaction(User user, String name) {
    return db.transaction(c -> {
      if (find(c, name).isEmpty() && wasDeleted(c, name)) {
        throw notFound(name);
      }
      insertRoom(c, name, "", false);
      Room room = find(c, name).orElseThrow();
      if (room.isPrivate()) {
        throw forbidden(name); // created private by someone else since the read above
      }
      addMembership(c, room.id(), user.id());
      return room.ref();
    });
  }

  /** The room if {@code user} may read it: {@code room_not_found} or {@code forbidden} otherwise. */
  public Future<RoomRef> readable(User user, String name) {
    return rooms.get(name).compose(room -> {
      if (room == null) {
        return Future.failedFuture(notFound(name));
      }
      if (!room.isPrivate()) {
        return Future.succeededFuture(room);
      }
      return isMember(room, user).compose(member -> member ? Future.succeededFuture(room) : Future.failedFuture(forbidden(name)));
    });
  }

  private Future<Boolean> isMember(RoomRef room, User user) {
    if (memberships == null) {
      return db.read(c -> isMember(c, room.id(), user.id()));
    }
    return memberships.get(new Membership(room.id(), user.id())).map(Boolean.TRUE::equals);
  }

  /** A member of a private room (or anyone, for a public one) adds another user to it. */
  public Future<Room> addMember(User actor, String roomName, User newMember) {
    return db.transaction(c -> {
      Room room = find(c, roomName).orElseThrow(() -> notFound(roomName));
      if (room.isDirect()) {
        throw new ChatException(ErrorCode.FORBIDDEN, "a direct message room always has exactly its two users");
      }
      if (room.isPrivate() && !isMember(c, room.id(), actor.id())) {
        throw forbidden(roomName);
      }
      addMembership(c, room.id(), newMember.id());
      return find(c, roomName).orElseThrow();
    });
  }

  /** The private room of exactly these two users: the same room every time, created on first use. */
  public Future<Room> direct(User me, User other) {
    long low = Math.min(me.id(), other.id());
    long high = Math.max(me.id(), other.id());
    String name = Room.DM_PREFIX + low + "-" + high;
    return db.transaction(c -> {
      Optional<Room> existing = find(c, name);
      if (existing.isPresent()) {
        return existing.get();
      }
      long id = insertRoom(c, name, "", true).orElseGet(() -> find(c, name).orElseThrow().id());
      addMembership(c, id, low);
      addMembership(c, id, high);
      return find(c, name).orElseThrow();
    });
  }

  /**
   * What a deletion removed.
   *
   * @param members  the users who belonged to it, whose cached memberships must go
   * @param messages how many messages were deleted with it
   */
  public record Deleted(long id, String name, List<Long> members, long messages) {
    /** How much went, for the audit row and the operator: member and message counts. */
    public java.util.Map<String, Object> summary() {
      java.util.Map<String, Object> counts = new java.util.LinkedHashMap<>();
      counts.put("members", members.size());
      counts.put("messages", messages);
      return counts;
    }
  }

  /**
   * Blocking: deletes the room named {@code name} with its memberships and messages, and marks the name so
   * that a join does not create it again. Empty when there is no such room. The caller commits, then makes
   * the nodes forget it: {@link #forget} on a node, {@link #announce} elsewhere.
   *
   * @throws ChatException {@code forbidden} for the rooms that may not be deleted ({@link #UNDELETABLE})
   */
  public static Optional<Deleted> delete(Connection c, String name) throws SQLException {
    if (UNDELETABLE.contains(name)) {
      throw new ChatException(ErrorCode.FORBIDDEN, "the '" + name + "' room cannot be deleted");
    }
    Optional<Room> room = find(c, name);
    if (room.isEmpty()) {
      return Optional.empty();
    }
    long id = room.get().id();
    List<Long> members = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM room_members WHERE room_id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          members.add(rs.getLong(1));
        }
      }
    }
    long messages = deleteWhere(c, "DELETE FROM messages WHERE room_id = ?", id);
    deleteWhere(c, "DELETE FROM client_msg_ids WHERE room_id = ?", id);
    deleteWhere(c, "DELETE FROM room_members WHERE room_id = ?", id);
    deleteWhere(c, "DELETE FROM rooms WHERE id = ?", id);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO deleted_rooms (name, deleted_at) VALUES (?, ?)"
        + " ON CONFLICT (name) DO UPDATE SET deleted_at = excluded.deleted_at")) {
      ps.setString(1, name);
      ps.setLong(2, System.currentTimeMillis());
      ps.executeUpdate();
    }
    return Optional.of(new Deleted(id, name, List.copyOf(members), messages));
  }

  /**
   * Forgets a room deleted (and committed) on this node, here and in the shared cache, and tells the other
   * nodes to forget it too. Completes once done or once the shared cache could not be reached.
   */
  public Future<Void> forget(Deleted deleted) {
    List<Future<Void>> all = new ArrayList<>();
    all.add(rooms.invalidate(deleted.name()));
    if (memberships != null) {
      for (long member : deleted.members()) {
        all.add(memberships.invalidate(new Membership(deleted.id(), member)));
      }
    }
    return Future.all(all).mapEmpty();
  }

  /** Blocking: every room, direct-message rooms included, by name; for tools. */
  public static List<Room> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT_ROOM + "ORDER BY r.name")) {
      List<Room> rooms = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rooms.add(read(rs));
        }
      }
      return rooms;
    }
  }

  private static boolean wasDeleted(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM deleted_rooms WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static long deleteWhere(Connection c, String sql, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      return ps.executeUpdate();
    }
  }

  private static Room read(ResultSet rs) throws SQLException {
    return new Room(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getInt(6), rs.getLong(5));
  }

  private static Optional<Room> find(Connection c, String name) {
    try (PreparedStatement ps = c.prepareStatement(SELECT_ROOM + "WHERE r.name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Inserts the room unless the name is taken; empty means taken. */
  private static Optional<Long> insertRoom(Connection c, String name, String topic, boolean isPrivate) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO rooms (name, topic, is_private, last_seq, created_at) VALUES (?, ?, ?, 0, ?)"
            + " ON CONFLICT (name) DO NOTHING RETURNING id")) {
      ps.setString(1, name);
      ps.setString(2, topic);
      ps.setBoolean(3, isPrivate);
      ps.setLong(4, System.currentTimeMillis());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  /** Blocking: the room named {@code name}, if there is one; for start-up and tools. */
  public static Optional<Room> byName(Connection c, String name) {
    return find(c, name);
  }

  /** Blocking: makes {@code userId} a member of the room named {@code roomName} if it exists; for start-up and tools. */
  public static boolean addMembership(Connection c, String roomName, long userId) throws SQLException {
    Optional<Room> room = find(c, roomName);
    if (room.isPresent()) {
      addMembership(c, room.get().id(), userId);
    }
    return room.isPresent();
  }

  private static void addMembership(Connection c, long roomId, long userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      ps.setLong(1, roomId);
      ps.setLong(2, userId);
      ps.setLong(3, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }

  private static boolean isMember(Connection c, long roomId, long userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?")) {
      ps.setLong(1, roomId);
      ps.setLong(2, userId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void checkValidName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "room names are 1-64 characters of a-z, 0-9, '_' and '-'");
    }
  }

  private static void checkName(String name) {
    checkValidName(name);
    if (name.startsWith(Room.DM_PREFIX)) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "room names starting with '" + Room.DM_PREFIX + "' are reserved for direct messages");
    }
  }

  private static void checkTopic(String topic) {
    if (topic != null && topic.length() > MAX_TOPIC) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "topic is over " + MAX_TOPIC + " characters");
    }
  }

  private static ChatException notFound(String name) {
    return new ChatException(ErrorCode.ROOM_NOT_FOUND, "no room named '" + name + "'");
  }

  private static ChatException forbidden(String name) {
    return new ChatException(ErrorCode.FORBIDDEN, "room '" + name + "' is private and you are not a member");
  }
}
