package io.chatroom.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * A {@link TokenBucket} per key in this node's memory; idle buckets are forgotten once they would be full
 * again, so the map stays small.
 */
public final class LocalRateLimiter implements RateLimiter {
  private final double ratePerSecond;
  private final int burst;
  private final Cache<String, TokenBucket> buckets;

  public LocalRateLimiter(double ratePerSecond, int burst) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    // a bucket untouched for longer than it takes to refill completely is the same as a new one
    this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofNanos(Math.round(1e9 * Math.max(1, burst) / ratePerSecond))).build();
  }

  @Override
  public Future<Decision> acquire(String key) {
    long now = System.nanoTime();
    TokenBucket bucket = buckets.get(key, k -> new TokenBucket(ratePerSecond, burst, now));
    synchronized (bucket) {
      return Future.succeededFuture(bucket.tryTake(now) ? Decision.ALLOWED : new Decision(false, bucket.millisUntilNext(now)));
    }
  }
}
