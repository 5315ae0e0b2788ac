package io.chatroom.account;

import io.chatroom.cache.SharedCache;
import io.chatroom.room.RoomService;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Who administers this installation. An admin is a user flagged in the database ({@code chatroom user
 * promote}) or named in ADMIN_USERS. Admins see the monitor and alerts, and are members of the private
 * {@value #OPS_ROOM} room where alerts are posted. Blocking JDBC: call on a database thread.
 *
 * <p>Nodes that share Redis cache admin flags and memberships, so a change made here reaches them only
 * when it is {@linkplain #announce announced}.
 */
public final class Admins {
  public static final String OPS_ROOM = "ops";
  /** Author of operational messages; created by migration V2 with a password nobody can use. */
  public static final String SYSTEM_USER = "system";

  private Admins() {}

  /** What {@link #setAdmin} changed: the user's admin flag and their membership of the ops room. */
  public record Change(long userId, long opsRoomId) {}

  /** Flags {@code username} as admin and adds them to the ops room, or the reverse; empty when there is no such user. */
  public static Optional<Change> setAdmin(Connection c, String username, boolean admin) throws SQLException {
    Long id = userId(c, username);
    if (id == null) {
      return Optional.empty();
    }
    long opsRoomId = RoomService.byName(c, OPS_ROOM).orElseThrow(() -> new SQLException("the ops room is missing: migration V2 did not run")).id();
    try (PreparedStatement ps = c.prepareStatement("UPDATE users SET is_admin = ? WHERE id = ?")) {
      ps.setBoolean(1, admin);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
    if (admin) {
      RoomService.addMembership(c, OPS_ROOM, id);
    } else {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM room_members WHERE user_id = ? AND room_id = (SELECT id FROM rooms WHERE name = ?)")) {
        ps.setLong(1, id);
        ps.setString(2, OPS_ROOM);
        ps.executeUpdate();
      }
    }
    return Optional.of(new Change(id, opsRoomId));
  }

  /**
   * Tells the nodes sharing {@code shared} to forget what they cached about {@code change}, so it takes
   * effect on all of them at once. Fails when the shared cache did not take it: then nodes hold the old
   * rights for at most {@link #unannouncedStaleness()}.
   */
  public static Future<Void> announce(SharedCache shared, Change change) {
    return Future.all(AccountService.adminFlagChanged(shared, change.userId()),
        RoomService.membershipChanged(shared, change.opsRoomId(), change.userId())).mapEmpty();
  }

  /** How long nodes sharing Redis may act on old rights when a change was not announced. */
  public static Duration unannouncedStaleness() {
    Duration flags = AccountService.ADMIN_FLAGS.staleAtMost();
    Duration memberships = RoomService.MEMBERSHIPS.staleAtMost();
    return flags.compareTo(memberships) >= 0 ? flags : memberships;
  }

  public static boolean isFlagged(Connection c, long userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT is_admin FROM users WHERE id = ?")) {
      ps.setLong(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** Makes every configured admin that exists a member of the ops room; run at start-up. */
  public static void joinOpsRoom(Connection c, Set<String> configured) throws SQLException {
    for (String username : configured) {
      Long id = userId(c, username);
      if (id != null) {
        RoomService.addMembership(c, OPS_ROOM, id);
      }
    }
  }

  /** The system user; migration V2 guarantees it exists. */
  public static User systemUser(Connection c) throws SQLException {
    Long id = userId(c, SYSTEM_USER);
    if (id == null) {
      throw new SQLException("the system user is missing: migration V2 did not run");
    }
    return new User(id, SYSTEM_USER);
  }

  private static Long userId(Connection c, String username) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE username_key = ?")) {
      ps.setString(1, AccountService.key(username));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }
}
