package io.chatroom.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * A {@link TokenBucket} per key in this node's memory; idle buckets are forgotten once they would be full
 * again, so the map stays small. A new rate starts every key afresh, with a full burst.
 */
public final class LocalRateLimiter implements RateLimiter {
  /** The rate and the buckets kept at it; replaced as a whole, so a bucket never outlives its rate. */
  private record Buckets(Rate rate, Cache<String, TokenBucket> byKey) {
    static Buckets at(Rate rate) {
      // a bucket untouched for longer than it takes to refill completely is the same as a new one
      Duration refill = Duration.ofNanos(Math.round(1e9 * Math.max(1, rate.burst()) / rate.perSecond()));
      return new Buckets(rate, Caffeine.newBuilder().expireAfterAccess(refill).build());
    }
  }

  private volatile Buckets buckets;

  public LocalRateLimiter(double ratePerSecond, int burst) {
    this.buckets = Buckets.at(new Rate(ratePerSecond, burst));
  }

  @Override
  public Future<Decision> acquire(String key) {
    long now = System.nanoTime();
    Buckets current = buckets;
    TokenBucket bucket = current.byKey().get(key, k -> new TokenBucket(current.rate().perSecond(), current.rate().burst(), now));
    synchronized (bucket) {
      return Future.succeededFuture(bucket.tryTake(now) ? Decision.ALLOWED : new Decision(false, bucket.millisUntilNext(now)));
    }
  }

  @Override
  public void setRate(Rate rate) {
    buckets = Buckets.at(rate);
  }
}
