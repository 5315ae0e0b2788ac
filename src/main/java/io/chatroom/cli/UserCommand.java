package io.chatroom.cli;

import io.chatroom.account.Admins;
import io.chatroom.cache.RedisSharedCache;
import io.chatroom.cache.SharedCache;
import io.chatroom.config.Config;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code chatroom user promote|demote NAME}: grants or takes away admin rights, straight in the database.
 * With REDIS_URL set (the nodes' own settings), running nodes are told through Redis and act on it at once.
 */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users.",
    subcommands = {UserCommand.Promote.class, UserCommand.Demote.class})
public final class UserCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** The shared shape of promote and demote: which store, which user. */
  abstract static class AdminChange implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Parameters(paramLabel = "NAME", description = "The username")
    String username;

    abstract boolean admin();

    @Override
    public Integer call() throws Exception {
      return setAdmin(store, username, admin());
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Make NAME an admin: the monitor and alert API, and membership of the ops room.")
  static final class Promote extends AdminChange {
    @Override
    boolean admin() {
      return true;
    }
  }

  @Command(name = "demote", mixinStandardHelpOptions = true,
      description = "Take admin rights and ops room membership away from NAME.")
  static final class Demote extends AdminChange {
    @Override
    boolean admin() {
      return false;
    }
  }

  private static int setAdmin(StoreOptions store, String username, boolean admin) throws Exception {
    Config config = Config.load(new Config.Flags(null, null, store.dataDir, store.databaseUrl), System.getenv());
    Vertx vertx = Vertx.vertx();
    Redis redis = config.redisUrl() == null ? null
        : Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl()));
    try (Database db = Database.open(vertx, config.database(), null)) {
      SharedCache nodes = redis == null ? null : new RedisSharedCache(vertx, redis, config.redisPrefix());
      if (!setAdmin(db, nodes, username, admin)) {
        System.err.println("chatroom: no user named '" + username + "'");
        return 1;
      }
      System.out.println(username + (admin ? " is now an admin" : " is no longer an admin"));
      return 0;
    } finally {
      if (redis != null) {
        redis.close();
      }
      vertx.close();
    }
  }

  /**
   * Changes the rights in the database, then announces the change to the nodes sharing {@code nodes}
   * (null: no Redis, and a single node reads rights from the database). A failed announcement is reported,
   * not fatal: the change is made, and nodes notice it when their caches expire.
   *
   * @return false when there is no such user
   */
  static boolean setAdmin(Database db, SharedCache nodes, String username, boolean admin) throws Exception {
    Optional<Admins.Change> change = db.inTransaction(c -> Admins.setAdmin(c, username, admin));
    if (change.isEmpty()) {
      return false;
    }
    if (nodes != null) {
      try {
        Admins.announce(nodes, change.get()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        System.err.println("chatroom: warning: could not tell the running nodes through Redis (" + cause
            + "); they act on the old rights for up to " + (Admins.unannouncedStaleness().toSeconds() + 59) / 60 + " minutes");
      }
    }
    return true;
  }
}
