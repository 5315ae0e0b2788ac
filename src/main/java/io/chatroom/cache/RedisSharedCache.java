package io.chatroom.cache;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared cache in Redis: entry {@code <prefix>:cache:<name>:<key>} is a string with an expiry;
 * invalidations go out on the channel {@code <prefix>:cache:invalidate}. A fenced key holds an empty
 * string (no JSON value is empty) until the fence expires.
 *
 * <p>Reads and writes go through the pooled client; invalidations arrive on one dedicated subscriber
 * connection, opened by {@link #start()} and reopened whenever it drops, after which every listener is told
 * to resync. Without {@link #start()} the instance still reads, writes and invalidates (the CLI's use).
 * Listeners are called on the subscriber's context.
 */
public final class RedisSharedCache implements SharedCache, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisSharedCache.class);
  /**
   * A read answered by the database takes about a millisecond; waiting longer than this for Redis costs
   * more than it saves, so a slower answer counts as a miss.
   */
  static final long GET_TIMEOUT_MS = 500;
  static final long MAX_BACKOFF_MS = 5_000;
  private static final String FENCED = "";

  private final Vertx vertx;
  private final Redis client;
  private final String keyPrefix;
  private final String channel;
  /** Tags this node's invalidations, so it does not act on its own. */
  private final String origin = UUID.randomUUID().toString();
  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
  /** Owns the subscriber connection and its reconnects. */
  private final Context context;
  private RedisConnection subscriber;
  private boolean subscriberLost;
  private volatile boolean closed;
  private long backoffMs = 100;

  /** @param prefix namespaces the keys and the channel, so several installations (or tests) can share one Redis */
  public RedisSharedCache(Vertx vertx, Redis client, String prefix) {
    this.vertx = vertx;
    this.client = client;
    this.keyPrefix = prefix + ":cache:";
    this.channel = prefix + ":cache:invalidate";
    this.context = vertx.getOrCreateContext();
  }

  /** Opens the subscriber link and keeps it open until {@link #close()}. Fails when Redis does not answer. */
  public Future<Void> start() {
    return Future.future(p -> context.runOnContext(v -> connectSubscriber().onComplete(p)));
  }

  @Override
  public Future<String> get(String cache, String key) {
    return client.send(Request.cmd(Command.GET).arg(key(cache, key)))
        .timeout(GET_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(r -> r == null || FENCED.equals(r.toString()) ? null : r.toString())
        .otherwise(e -> {
          log.debug("shared cache read of {}/{} failed: {}", cache, key, e.toString());
          return null;
        });
  }

  @Override
  public Future<Boolean> put(String cache, String key, String value, Duration ttl) {
    return client.send(Request.cmd(Command.SET).arg(key(cache, key)).arg(value).arg("PX").arg(Math.max(1, ttl.toMillis())).arg("NX"))
        .map(r -> r != null)
        .otherwise(e -> {
          log.debug("shared cache write of {}/{} failed: {}", cache, key, e.toString());
          return false;
        });
  }

  @Override
  public Future<Void> invalidate(String cache, String key) {
    // fence first, then tell: a node that reloads on hearing the message must find the fence, not the old value
    return client.send(Request.cmd(Command.SET).arg(key(cache, key)).arg(FENCED).arg("PX").arg(FENCE.toMillis()))
        .compose(fenced -> client.send(Request.cmd(Command.PUBLISH).arg(channel).arg(origin + "\n" + cache + "\n" + key)))
        .mapEmpty();
  }

  @Override
  public void listen(String cache, Listener listener) {
    if (listeners.putIfAbsent(cache, listener) != null) {
      throw new IllegalStateException("cache '" + cache + "' has a listener already");
    }
  }

  private String key(String cache, String key) {
    return keyPrefix + cache + ":" + key;
  }

  private Future<Void> connectSubscriber() {
    return client.connect().compose(conn -> {
      conn.handler(this::onPush);
      conn.exceptionHandler(e -> log.debug("redis cache subscriber link: {}", e.toString()));
      conn.endHandler(v -> {
        if (subscriber == conn) {
          subscriber = null;
          subscriberLost = true;
          reconnect();
        }
      });
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel))
          .onFailure(e -> conn.close())
          .map(ok -> {
            subscriber = conn;
            if (subscriberLost) {
              subscriberLost = false;
              // what other nodes invalidated while the link was down never reached us
              listeners.values().forEach(Listener::onResync);
            }
            return null;
          });
    });
  }

  private void reconnect() {
    if (closed) {
      return;
    }
    log.warn("redis cache subscriber link lost; reconnecting in {} ms", backoffMs);
    vertx.setTimer(backoffMs, id -> context.runOnContext(v -> {
      if (closed) {
        return;
      }
      connectSubscriber().onComplete(ar -> {
        if (ar.succeeded()) {
          log.info("redis cache subscriber link is back");
          backoffMs = 100;
        } else {
          backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
          reconnect();
        }
      });
    }));
  }

  private void onPush(Response push) {
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      return;
    }
    if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    // origin \n cache \n key: neither origin nor cache name holds a newline, and the key is the rest
    String[] parts = push.get(2).toString().split("\n", 3);
    if (parts.length < 3 || parts[0].equals(origin)) {
      return;
    }
    Listener listener = listeners.get(parts[1]);
    if (listener != null) {
      listener.onInvalidate(parts[2]);
    }
  }

  /** Stops reconnecting and closes the subscriber link; the node is going away. */
  @Override
  public void close() {
    closed = true;
    context.runOnContext(v -> {
      if (subscriber != null) {
        subscriber.close();
        subscriber = null;
      }
    });
  }
}
