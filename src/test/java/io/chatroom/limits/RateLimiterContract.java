package io.chatroom.limits;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What every RateLimiter promises; run against each implementation. */
abstract class RateLimiterContract {
  /** A limiter with fresh buckets: {@code rate} per second after a burst of {@code burst}. */
  abstract RateLimiter limiter(double rate, int burst);

  @Test
  void aBurstPassesThenTheNextWaitsForOneInterval() throws Exception {
    RateLimiter limits = limiter(2, 3); // one token every 500 ms
    for (int i = 0; i < 3; i++) {
      assertThat(await(limits.acquire("alice")).allowed()).as("burst request " + i).isTrue();
    }
    RateLimiter.Decision refused = await(limits.acquire("alice"));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterMs()).isBetween(1L, 500L);
    Thread.sleep(refused.retryAfterMs() + 50);
    assertThat(await(limits.acquire("alice")).allowed()).as("refilled").isTrue();
  }

  @Test
  void aNewRateAppliesToTheNextRequests() throws Exception {
    RateLimiter limits = limiter(0.1, 1); // one request, then one every 10 s
    assertThat(await(limits.acquire("alice")).allowed()).isTrue();
    assertThat(await(limits.acquire("alice")).allowed()).isFalse();
    limits.setRate(new Rate(1000, 5));
    for (int i = 0; i < 5; i++) {
      assertThat(await(limits.acquire("alice")).allowed()).as("a fresh burst at the new rate, not the old 10 s wait").isTrue();
    }
    limits.setRate(new Rate(0.1, 1));
    assertThat(await(limits.acquire("bob")).allowed()).isTrue();
    assertThat(await(limits.acquire("bob")).allowed()).as("and back").isFalse();
  }

  @Test
  void keysHaveTheirOwnBuckets() throws Exception {
    RateLimiter limits = limiter(0.1, 1);
    assertThat(await(limits.acquire("alice")).allowed()).isTrue();
    assertThat(await(limits.acquire("alice")).allowed()).isFalse();
    assertThat(await(limits.acquire("bob")).allowed()).isTrue();
  }
}
