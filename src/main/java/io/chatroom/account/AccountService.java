package io.chatroom.account;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.cache.SharedCache;
import io.chatroom.cache.TwoLevelCache;
import io.chatroom.observability.Metrics;
import io.chatroom.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Registration, sign-in and user look-up. All futures complete on the caller's context. */
public final class AccountService {
  /** Users by username key. Users are never renamed or deleted, and unknown names are not cached. */
  static final TwoLevelCache.Settings USERS = new TwoLevelCache.Settings("users", 10_000, Duration.ofMinutes(5), Duration.ofMinutes(10));
  /**
   * The database's admin flag by user id, cached only where nodes share Redis: the flag changes only through
   * {@code chatroom user promote|demote}, which tells the nodes through Redis. Without Redis it could not, so
   * a single node reads the flag from the database each time.
   */
  static final TwoLevelCache.Settings ADMIN_FLAGS =
      new TwoLevelCache.Settings("admin_flags", 10_000, Duration.ofSeconds(30), Duration.ofMinutes(5));

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
  static final int MIN_PASSWORD = 8;
  static final int MAX_PASSWORD = 128;

  private final Database db;
  private final TokenService tokens;
  private final PasswordHasher hasher = new PasswordHasher();
  /** bcrypt gets its own threads so a burst of sign-ins cannot starve database work. */
  private final WorkerExecutor hashing;
  /** ADMIN_USERS, case-insensitive. */
  private final Set<String> configuredAdmins;
  private final TwoLevelCache<String, User> users;
  /** Null on a single node (no shared cache): see {@link #ADMIN_FLAGS}. */
  private final TwoLevelCache<Long, Boolean> adminFlags;

  /** @param shared the cache the nodes share, or null on a single node */
  public AccountService(Vertx vertx, Database db, TokenService tokens, Set<String> configuredAdmins, SharedCache shared, Metrics metrics) {
    this.db = db;
    this.tokens = tokens;
    this.configuredAdmins = configuredAdmins;
    this.hashing = vertx.createSharedWorkerExecutor("chatroom-hash", Runtime.getRuntime().availableProcessors(), 10, TimeUnit.SECONDS);
    this.users = new TwoLevelCache<>(USERS, User.class, AccountService::key,
        username -> db.read(c -> findCredentials(c, username).map(Credentials::user).orElse(null)), shared, metrics);
    this.adminFlags = shared == null ? null : new TwoLevelCache<>(ADMIN_FLAGS, Boolean.class, id -> Long.toString(id),
        userId -> db.read(c -> Admins.isFlagged(c, userId)), shared, metrics);
  }

  /**
   * Tells every node to forget the admin flag of {@code userId}: for a change made outside the nodes
   * ({@code chatroom user promote|demote}). Fails when the shared cache did not take it.
   */
  static Future<Void> adminFlagChanged(SharedCache shared, long userId) {
    return shared.invalidate(ADMIN_FLAGS.name(), Long.toString(userId));
  }

  /** A signed-in user with the token that proves it. */
  public record Session(User user, String token) {}

  public Future<Session> register(String username, String password) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      return Future.failedFuture(new ChatException(ErrorCode.INVALID_REQUEST,
          "username must be 3-32 characters of letters, digits, '_', '.' or '-'"));
    }
    if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return Future.failedFuture(new ChatException(ErrorCode.INVALID_REQUEST,
          "password must be " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters"));
    }
    return hashing.executeBlocking(() -> hasher.hash(password), false)
        .compose(hash -> db.transaction(c -> {
          User user = insertUser(c, username, hash);
          if (configuredAdmins.contains(username)) {
            Admins.joinOpsRoom(c, Set.of(username));
          }
          return user;
        }))
        .map(user -> new Session(user, tokens.issue(user)));
  }

  public Future<Session> login(String username, String password) {
    if (username == null || password == null || password.length() > MAX_PASSWORD) {
      return Future.failedFuture(invalidCredentials());
    }
    return db.read(c -> findCredentials(c, username))
        .compose(found -> hashing.executeBlocking(() -> {
          String hash = found.map(Credentials::hash).orElse(null);
          if (!hasher.matches(password, hash)) {
            throw invalidCredentials();
          }
          return found.get().user();
        }, false))
        .map(user -> new Session(user, tokens.issue(user)));
  }

  /** The user a bearer token belongs to; fails with {@code unauthorized} otherwise. Cheap: no database access. */
  public User authenticate(String token) {
    return tokens.verify(token).orElseThrow(() -> new ChatException(ErrorCode.UNAUTHORIZED, "missing, invalid or expired token"));
  }

  /** Whether {@code user} may use the admin API: named in ADMIN_USERS or promoted with the CLI. */
  public Future<Boolean> isAdmin(User user) {
    if (configuredAdmins.contains(user.username())) {
      return Future.succeededFuture(true);
    }
    return adminFlags == null ? db.read(c -> Admins.isFlagged(c, user.id())) : adminFlags.get(user.id());
  }

  public Future<User> findByUsername(String username) {
    return users.get(username).compose(found -> found != null ? Future.succeededFuture(found)
        : Future.failedFuture(new ChatException(ErrorCode.USER_NOT_FOUND, "no user named '" + username + "'")));
  }

  private record Credentials(User user, String hash) {}

  private User insertUser(java.sql.Connection c, String username, String hash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO users (username, username_key, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id")) {
      ps.setString(1, username);
      ps.setString(2, key(username));
      ps.setString(3, hash);
      ps.setLong(4, System.currentTimeMillis());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new User(rs.getLong(1), username);
      }
    } catch (SQLException e) {
      if (db.isUniqueViolation(e)) {
        throw new ChatException(ErrorCode.USERNAME_TAKEN, "username '" + username + "' is taken");
      }
      throw e;
    }
  }

  private Optional<Credentials> findCredentials(java.sql.Connection c, String username) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, username, password_hash FROM users WHERE username_key = ?")) {
      ps.setString(1, key(username));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Credentials(new User(rs.getLong(1), rs.getString(2)), rs.getString(3)));
      }
    }
  }

  /** The case-insensitive form usernames are unique and looked up by. */
  static String key(String username) {
    return username.toLowerCase(Locale.ROOT);
  }

  private static ChatException invalidCredentials() {
    return new ChatException(ErrorCode.INVALID_CREDENTIALS, "wrong username or password");
  }
}
