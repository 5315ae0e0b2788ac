package io.chatroom.account;

import io.chatroom.cache.SharedCache;
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

/**
 * What an operator does to accounts from the command line: list, add, disable, enable, reset a password.
 * Blocking JDBC on the caller's connection (so the change and its audit row share a transaction), and bcrypt
 * on the caller's thread: for the CLI, never an event loop.
 *
 * <p>Disable and reset-password end sessions by moving {@code sessions_valid_after} to now: tokens issued
 * before are refused. Nodes cache that ({@link AccountService#SESSION_STATUS}), so a change reaches them at
 * once only when it is {@linkplain #announce announced}; otherwise within {@link #unannouncedStaleness()}.
 */
public final class AccountAdmin {
  private AccountAdmin() {}

  /** A user as {@code chatroom user list} shows them. */
  public record Row(long id, String username, boolean admin, Long disabledAt, long createdAt) {}

  /** What a disable, enable or reset changed: whose status, and whether it was not so already. */
  public record Change(long userId, boolean changed) {}

  /** Every user by name, but the built-in authors nobody signs in as (system, ai: their hash is '!'). */
  public static List<Row> list(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, username, is_admin, disabled_at, created_at FROM users WHERE password_hash <> '!' ORDER BY username_key")) {
      List<Row> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long disabledAt = rs.getLong(4);
          Long disabled = rs.wasNull() ? null : disabledAt;
          rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getBoolean(3), disabled, rs.getLong(5)));
        }
      }
      return rows;
    }
  }

  /**
   * Checks {@code password} against the registration rules and hashes it. Slow on purpose (bcrypt).
   *
   * @throws io.chatroom.ChatException {@code invalid_request} naming the rule
   */
  public static String hash(String password) {
    AccountService.checkPassword(password);
    return new PasswordHasher().hash(password);
  }

  /** @throws io.chatroom.ChatException {@code invalid_request} when registration would refuse {@code username} */
  public static void checkUsername(String username) {
    AccountService.checkUsername(username);
  }

  /**
   * Creates an account as registration does (same username rules; a name in {@code configuredAdmins} joins
   * the ops room).
   *
   * @throws io.chatroom.ChatException {@code invalid_request} or {@code username_taken}
   */
  public static User add(Database db, Connection c, String username, String passwordHash, Set<String> configuredAdmins) throws SQLException {
    AccountService.checkUsername(username);
    User user = AccountService.insertUser(db, c, username, passwordHash);
    if (configuredAdmins.contains(username)) {
      Admins.joinOpsRoom(c, Set.of(username));
    }
    return user;
  }

  /** Refuses sign-in and every token of {@code username} from now on; empty when there is no such user. */
  public static Optional<Change> disable(Connection c, String username, long now) throws SQLException {
    return update(c, username, "disabled_at IS NULL",
        "UPDATE users SET disabled_at = COALESCE(disabled_at, ?), sessions_valid_after = ? WHERE id = ?", now, now);
  }

  /**
   * Lets {@code username} sign in again. Tokens from before the disable stay refused: the user signs in anew.
   * Empty when there is no such user.
   */
  public static Optional<Change> enable(Connection c, String username) throws SQLException {
    return update(c, username, "disabled_at IS NOT NULL", "UPDATE users SET disabled_at = NULL WHERE id = ?");
  }

  /** Sets a new password hash and signs every existing session out; empty when there is no such user. */
  public static Optional<Change> resetPassword(Connection c, String username, String passwordHash, long now) throws SQLException {
    return update(c, username, "1 = 1", "UPDATE users SET password_hash = ?, sessions_valid_after = ? WHERE id = ?", passwordHash, now);
  }

  /**
   * Tells the nodes sharing {@code shared} to forget the cached status of {@code userId}, so a disable or reset
   * takes effect on all of them at once. Fails when the shared cache did not take it.
   */
  public static Future<Void> announce(SharedCache shared, long userId) {
    return AccountService.sessionStatusChanged(shared, userId);
  }

  /** How long nodes sharing Redis may let a user's old sessions work when a change was not announced. */
  public static Duration unannouncedStaleness() {
    return AccountService.SESSION_STATUS.staleAtMost();
  }

  /**
   * How long a node without Redis (which nobody can tell) may answer HTTP requests with the old status: its
   * own cache's lifetime. Open WebSocket sessions are checked a little later (see docs/operations.md).
   */
  public static Duration localStaleness() {
    return AccountService.SESSION_STATUS.localTtl().multipliedBy(120).dividedBy(100);
  }

  /** Finds the user, tells whether {@code changedIf} held before, and runs {@code update} with the values then the id. */
  private static Optional<Change> update(Connection c, String username, String changedIf, String update, Object... values)
      throws SQLException {
    long id;
    boolean changed;
    try (PreparedStatement ps = c.prepareStatement("SELECT id, " + changedIf + " FROM users WHERE username_key = ?")) {
      ps.setString(1, AccountService.key(username));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        id = rs.getLong(1);
        changed = rs.getBoolean(2);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(update)) {
      int i = 1;
      for (Object v : values) {
        ps.setObject(i++, v);
      }
      ps.setLong(i, id);
      ps.executeUpdate();
    }
    return Optional.of(new Change(id, changed));
  }
}
