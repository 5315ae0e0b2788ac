package io.chatroom.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Duration;

/** Buckets in this node's memory; idle ones are forgotten once full again, so the map stays small. */
public final class LocalRateLimiter implements RateLimiter {
  private final long intervalNanos;
  private final long toleranceNanos;
  /** key -> theoretical arrival time (nanoTime) of the next request. */
  private final Cache<String, long[]> buckets;

  public LocalRateLimiter(double ratePerSecond, int burst) {
    this.intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
    this.toleranceNanos = intervalNanos * (Math.max(1, burst) - 1);
    // a bucket untouched for longer than it takes to refill completely is the same as a new one
    this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofNanos(intervalNanos + toleranceNanos)).build();
  }

  @Override
  public Future<Decision> acquire(String key) {
    long now = System.nanoTime();
    long[] tat = buckets.get(key, k -> new long[] {now});
    synchronized (tat) {
      long arrival = Math.max(tat[0], now);
      if (arrival - now > toleranceNanos) {
        long waitNanos = arrival - now - toleranceNanos;
        return Future.succeededFuture(new Decision(false, Math.max(1, (waitNanos + 999_999) / 1_000_000)));
      }
      tat[0] = arrival + intervalNanos;
      return Future.succeededFuture(Decision.ALLOWED);
    }
  }
}
