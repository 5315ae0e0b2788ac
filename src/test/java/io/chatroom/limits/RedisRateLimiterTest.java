package io.chatroom.limits;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.RedisSession;
import io.chatroom.testing.TestRedis;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real Redis, and the point of it: two nodes draw on one bucket. */
class RedisRateLimiterTest extends RateLimiterContract {
  @RegisterExtension
  final RedisSession redis = new RedisSession();

  @Override
  RateLimiter limiter(double rate, int burst) {
    return new RedisRateLimiter(redis.client(), redis.prefix(), rate, burst);
  }

  @Test
  void nodesShareOneBudget() throws Exception {
    RateLimiter nodeA = limiter(0.1, 4);
    RateLimiter nodeB = new RedisRateLimiter(Redis.createClient(redis.vertx(), TestRedis.url()), redis.prefix(), 0.1, 4);
    int allowed = 0;
    for (int i = 0; i < 5; i++) {
      allowed += await(nodeA.acquire("alice")).allowed() ? 1 : 0;
      allowed += await(nodeB.acquire("alice")).allowed() ? 1 : 0;
    }
    assertThat(allowed).as("a burst of 4 in all, not 4 per node").isEqualTo(4);
  }

  @Test
  void anUnreachableRedisDoesNotBlockTheApi() throws Exception {
    RateLimiter broken = new RedisRateLimiter(Redis.createClient(redis.vertx(), "redis://127.0.0.1:1"), redis.prefix(), 0.1, 1);
    assertThat(await(broken.acquire("alice")).allowed()).isTrue();
    assertThat(await(broken.acquire("alice")).allowed()).isTrue();
  }
}
