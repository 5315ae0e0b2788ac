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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registration, sign-in and user look-up. All futures complete on the caller's context. */
public final class AccountService {
  private static final Logger log = LoggerFactory.getLogger(AccountService.class);
  /** Users by username key. Users are never renamed or deleted, and unknown names are not cached. */
  static final TwoLevelCache.Settings USERS = new TwoLevelCache.Settings("users", 10_000, Duration.ofMinutes(5), Duration.ofMinutes(10));
  /**
   * The database's admin flag by user id, cached only where nodes share Redis: the flag changes only through
   * {@code chatroom user promote|demote}, which tells the nodes through Redis. Without Redis it could not, so
   * a single node reads the flag from the database each time.
   */
  static final TwoLevelCache.Settings ADMIN_FLAGS =
      new TwoLevelCache.Settings("admin_flags", 10_000, Duration.ofSeconds(30), Duration.ofMinutes(5));
  /**
   * Whether a user is disabled and since when their sessions count, by user id: read by every authenticated
   * request and WebSocket hello, and by each open session every {@code Connections.SESSION_CHECK_MS}. It
   * changes only through {@code chatroom user disable|enable|reset-password}, which tells nodes that share
   * Redis at once. Without Redis nobody can tell a node, so the local TTL is what bounds how long a disabled
   * user or a reset password's old sessions keep working: at most 6 s (5 s + 20 % jitter). Why 5 s: one
   * primary-key read per active user per 5 s is nothing next to their traffic, and an operator who disables
   * an account expects it to stop now, not in minutes.
   */
  public static final TwoLevelCache.Settings SESSION_STATUS =
      new TwoLevelCache.Settings("session_status", 100_000, Duration.ofSeconds(5), Duration.ofSeconds(30));

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
  private final TwoLevelCache<Long, SessionStatus> sessions;

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
    this.sessions = new TwoLevelCache<>(SESSION_STATUS, SessionStatus.class, id -> Long.toString(id),
        userId -> db.read(c -> sessionStatus(c, userId)), shared, metrics);
  }

  /**
   * What decides whether a user's tokens still count.
   *
   * @param disabledAt epoch ms the account was disabled, null while enabled
   * @param validAfter epoch ms; tokens issued before it are refused (a password reset, a disable)
   */
  public record SessionStatus(Long disabledAt, long validAfter) {}

  /**
   * Tells every node to forget the admin flag of {@code userId}: for a change made outside the nodes
   * ({@code chatroom user promote|demote}). Fails when the shared cache did not take it.
   */
  static Future<Void> adminFlagChanged(SharedCache shared, long userId) {
    return shared.invalidate(ADMIN_FLAGS.name(), Long.toString(userId));
  }

  /**
   * Tells every node to forget what it cached about whether {@code userId} may use their sessions: for a change
   * made outside the nodes ({@code chatroom user disable|enable|reset-password}). Fails when the shared cache did
   * not take it; then nodes act on the old status for at most {@code SESSION_STATUS.staleAtMost()}.
   */
  static Future<Void> sessionStatusChanged(SharedCache shared, long userId) {
    return shared.invalidate(SESSION_STATUS.name(), Long.toString(userId));
  }

  /** A signed-in user with the token that proves it. */
  public record Session(User user, String token) {}

  public Future<Session> register(String username, String password) {
    try {
      checkUsername(username);
      checkPassword(password);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    return hashing.executeBlocking(() -> hasher.hash(password), false)
        .compose(hash -> db.transaction(c -> {
          User user = insertUser(db, c, username, hash);
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
          // only after the password: who does not know it learns nothing about the account
          if (found.get().disabledAt() != null) {
            throw new ChatException(ErrorCode.FORBIDDEN, "this account is disabled; ask an administrator to enable it");
          }
          return found.get().user();
        }, false))
        .map(user -> {
          // the database just said the account is enabled: a "disabled" this node cached before an enable that
          // could not be announced (no Redis) must not refuse the token it is about to hand out
          sessions.invalidateLocally(user.id());
          return new Session(user, tokens.issue(user));
        });
  }

  /**
   * The verified token, if its user may still use it: not disabled, and not signed out since it was issued.
   * Fails with {@code unauthorized} otherwise, and with {@code unavailable} when the database cannot say.
   * Mostly answered from the cache ({@link #SESSION_STATUS}).
   */
  public Future<TokenService.Verified> authenticate(String token) {
    Optional<TokenService.Verified> verified = tokens.verify(token);
    if (verified.isEmpty()) {
      return Future.failedFuture(unauthorized("missing, invalid or expired token"));
    }
    return checkSession(verified.get()).map(verified.get());
  }

  /** As {@link #authenticate}, for a token verified before: is it still good? Sessions ask this while they live. */
  public Future<Void> checkSession(TokenService.Verified verified) {
    return sessions.get(verified.user().id()).transform(ar -> {
      if (ar.failed()) {
        log.warn("cannot read the session status of user {}: {}", verified.user().id(), ar.cause().toString());
        return Future.failedFuture(new ChatException(ErrorCode.UNAVAILABLE, "cannot check the session right now; retry shortly"));
      }
      SessionStatus status = ar.result();
      if (status == null) {
        return Future.failedFuture(unauthorized("no such user"));
      }
      if (status.disabledAt() != null) {
        return Future.failedFuture(unauthorized("this account is disabled"));
      }
      if (verified.issuedAtMs() < status.validAfter()) {
        return Future.failedFuture(unauthorized("this session was signed out (a password reset or a disable); sign in again"));
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Whom a well-signed token names, without asking whether they may still use it; null for a bad token. Only
   * for keying rate limits: never proof of a session.
   */
  public User claimedUser(String token) {
    return tokens.verify(token).map(TokenService.Verified::user).orElse(null);
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

  private record Credentials(User user, String hash, Long disabledAt) {}

  /** The registration rules for a username; {@code invalid_request} naming them otherwise. */
  static void checkUsername(String username) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "username must be 3-32 characters of letters, digits, '_', '.' or '-'");
    }
  }

  /** The registration rules for a password; {@code invalid_request} naming them otherwise. */
  static void checkPassword(String password) {
    if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "password must be " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters");
    }
  }

  static SessionStatus sessionStatus(java.sql.Connection c, long userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT disabled_at, sessions_valid_after FROM users WHERE id = ?")) {
      ps.setLong(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long disabledAt = rs.getLong(1);
        Long disabled = rs.wasNull() ? null : disabledAt;
        return new SessionStatus(disabled, rs.getLong(2));
      }
    }
  }

  static User insertUser(Database db, java.sql.Connection c, String username, String hash) throws SQLException {
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
        "SELECT id, username, password_hash, disabled_at FROM users WHERE username_key = ?")) {
      ps.setString(1, key(username));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long disabledAt = rs.getLong(4);
        Long disabled = rs.wasNull() ? null : disabledAt;
        return Optional.of(new Credentials(new User(rs.getLong(1), rs.getString(2)), rs.getString(3), disabled));
      }
    }
  }

  /** The case-insensitive form usernames are unique and looked up by. */
  static String key(String username) {
    return username.toLowerCase(Locale.ROOT);
  }

  private static ChatException unauthorized(String why) {
    return new ChatException(ErrorCode.UNAUTHORIZED, why);
  }

  private static ChatException invalidCredentials() {
    return new ChatException(ErrorCode.INVALID_CREDENTIALS, "wrong username or password");
  }
}
