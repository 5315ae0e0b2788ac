package io.chatroom.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real Redis, and the point of it: two nodes draw on one bucket. */
class RedisRateLimiterTest extends RateLimiterContract {
  final Vertx vertx = Vertx.vertx();
  Redis client;
  String prefix;

  @BeforeEach
  void connect() {
    client = Redis.createClient(vertx, TestRedis.url());
    prefix = TestRedis.uniquePrefix();
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  @Override
  RateLimiter limiter(double rate, int burst) {
    return new RedisRateLimiter(client, prefix, rate, burst);
  }

  @Test
  void nodesShareOneBudget() throws Exception {
    RateLimiter nodeA = limiter(0.1, 4);
    RateLimiter nodeB = new RedisRateLimiter(Redis.createClient(vertx, TestRedis.url()), prefix, 0.1, 4);
    int allowed = 0;
    for (int i = 0; i < 5; i++) {
      allowed += await(nodeA.acquire("alice")).allowed() ? 1 : 0;
      allowed += await(nodeB.acquire("alice")).allowed() ? 1 : 0;
    }
    assertThat(allowed).as("a burst of 4 in all, not 4 per node").isEqualTo(4);
  }

  @Test
  void anUnreachableRedisDoesNotBlockTheApi() throws Exception {
    RateLimiter broken = new RedisRateLimiter(Redis.createClient(vertx, "redis://127.0.0.1:1"), prefix, 0.1, 1);
    assertThat(await(broken.acquire("alice")).allowed()).isTrue();
    assertThat(await(broken.acquire("alice")).allowed()).isTrue();
  }
}
