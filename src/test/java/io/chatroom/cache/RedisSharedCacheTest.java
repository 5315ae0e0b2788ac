package io.chatroom.cache;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.testing.Await;
import io.chatroom.testing.RedisSession;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real Redis, plus what only Redis has: the key layout, a dropped link, an outage. */
class RedisSharedCacheTest extends SharedCacheContract {
  @RegisterExtension
  final RedisSession redis = new RedisSession();

  @Override
  SharedCache node() {
    RedisSharedCache node = new RedisSharedCache(redis.vertx(), redis.client(), redis.prefix());
    try {
      await(node.start());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return node;
  }

  @Test
  void entriesLiveUnderThePrefixWithTheirTtl() throws Exception {
    await(node().put("rooms", "general", "{\"id\":1}", Duration.ofSeconds(60)));
    Response value = await(redis.client().send(Request.cmd(Command.GET).arg(redis.prefix() + ":cache:rooms:general")));
    assertThat(value.toString()).isEqualTo("{\"id\":1}");
    long ttl = await(redis.client().send(Request.cmd(Command.PTTL).arg(redis.prefix() + ":cache:rooms:general"))).toLong();
    assertThat(ttl).isBetween(50_000L, 60_000L);
  }

  @Test
  void aDroppedSubscriberLinkComesBackAndAsksForAResync() throws Exception {
    SharedCache a = node();
    SharedCache b = node();
    Heard heard = new Heard();
    b.listen("rooms", heard);
    await(redis.client().send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
    Await.until(() -> heard.resyncs >= 1);
    // the link is back: invalidations reach b again
    Await.until(() -> {
      try {
        await(a.invalidate("rooms", "general"));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return heard.keys.contains("general");
    });
  }

  @Test
  void anUnreachableRedisIsAMissAndANoOpButAnInvalidationSaysItFailed() throws Exception {
    SharedCache down = new RedisSharedCache(redis.vertx(), Redis.createClient(redis.vertx(), "redis://127.0.0.1:1"), redis.prefix());
    assertThat(await(down.get("rooms", "general"))).isNull();
    assertThat(await(down.put("rooms", "general", "x", Duration.ofSeconds(60)))).isFalse();
    assertThatThrownBy(() -> await(down.invalidate("rooms", "general"))).isInstanceOf(ExecutionException.class);
  }

  @Test
  void startingWithoutRedisFails() {
    RedisSharedCache down = new RedisSharedCache(redis.vertx(), Redis.createClient(redis.vertx(), "redis://127.0.0.1:1"), redis.prefix());
    assertThatThrownBy(() -> await(down.start())).isInstanceOf(ExecutionException.class);
  }
}
