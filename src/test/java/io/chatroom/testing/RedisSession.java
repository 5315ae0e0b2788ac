package io.chatroom.testing;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's view of the test Redis: its own Vert.x, a client, and a key prefix no other test uses; closed
 * after the test. Register it with {@code @RegisterExtension final RedisSession redis = new RedisSession();}.
 * Skips the test (or fails it under CI) when there is no Redis, as {@link TestRedis#url()} does.
 */
public final class RedisSession implements BeforeEachCallback, AfterEachCallback {
  private Vertx vertx;
  private Redis client;
  private String prefix;

  @Override
  public void beforeEach(ExtensionContext context) {
    String url = TestRedis.url();
    vertx = Vertx.vertx();
    client = Redis.createClient(vertx, url);
    prefix = TestRedis.uniquePrefix();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (vertx != null) {
      vertx.close();
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public Redis client() {
    return client;
  }

  public String prefix() {
    return prefix;
  }
}
