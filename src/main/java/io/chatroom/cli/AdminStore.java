package io.chatroom.cli;

import io.chatroom.cache.RedisSharedCache;
import io.chatroom.cache.SharedCache;
import io.chatroom.config.Config;
import io.chatroom.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What an administrative command opens: the configuration as {@code serve} resolves it (flags, then
 * CHATROOM_CONFIG_FILE and the environment), the database (migrated, as a node would), and, when REDIS_URL is
 * set, the Redis the nodes share, to tell them about a change at once.
 */
final class AdminStore implements AutoCloseable {
  final Config config;
  final Database db;
  /** Null without REDIS_URL. */
  final Redis redis;
  /** The nodes' shared cache; null without REDIS_URL. */
  final SharedCache nodes;
  private final Vertx vertx;

  private AdminStore(Config config, Vertx vertx, Database db, Redis redis) {
    this.config = config;
    this.vertx = vertx;
    this.db = db;
    this.redis = redis;
    this.nodes = redis == null ? null : new RedisSharedCache(vertx, redis, config.redisPrefix());
  }

  /** @throws io.chatroom.config.ConfigException for bad settings or an unreachable database */
  static AdminStore open(StoreOptions store) {
    Config config = store.config();
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.open(vertx, config.database(), null);
      Redis redis = config.redisUrl() == null ? null
          : Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl()));
      return new AdminStore(config, vertx, db, redis);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  /**
   * Waits for {@code announcement} to the running nodes. A failure is reported on {@code err}, not fatal: the
   * change is made, and nodes notice it within {@code staleness}.
   */
  static void announce(Future<Void> announcement, Duration staleness, PrintWriter err) throws InterruptedException {
    try {
      announcement.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      err.println("chatroom: warning: could not tell the running nodes through Redis (" + cause
          + "); they act on the old state for up to " + describe(staleness));
      err.flush();
    }
  }

  /** "45 seconds", "7 minutes". */
  static String describe(Duration d) {
    long seconds = d.toSeconds();
    return seconds < 120 ? seconds + " seconds" : (seconds + 59) / 60 + " minutes";
  }

  @Override
  public void close() {
    db.close();
    if (redis != null) {
      redis.close();
    }
    vertx.close();
  }
}
