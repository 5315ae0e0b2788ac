package io.chatroom.limits;

import io.vertx.core.Future;

/**
 * Token buckets by key (a user, an address), kept as GCRA: {@code burst} requests at once, then one per
 * {@code 1/rate} seconds. Implementations: {@link LocalRateLimiter} for one node, {@link RedisRateLimiter}
 * so that every node draws on the same bucket.
 */
public interface RateLimiter {
  /** Takes one token for {@code key}; the decision says whether it was there and, if not, when to retry. */
  Future<Decision> acquire(String key);

  /**
   * From now on, limits every key to {@code rate}, each starting with a full burst (a configuration reload).
   * Callable from any thread.
   */
  void setRate(Rate rate);

  /** @param retryAfterMs 0 when allowed */
  record Decision(boolean allowed, long retryAfterMs) {
    public static final Decision ALLOWED = new Decision(true, 0);
  }
}
