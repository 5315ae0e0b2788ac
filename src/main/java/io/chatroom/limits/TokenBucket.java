package io.chatroom.limits;

/**
 * A token bucket of {@code burst} tokens refilled at {@code ratePerSecond}, kept as the generic cell rate
 * algorithm: one "theoretical arrival time" in nanoseconds instead of a fractional token count, so the
 * arithmetic is exact and a client sending at exactly the allowed rate is never refused. Not thread-safe:
 * a WebSocket connection owns one on its event loop; {@link LocalRateLimiter} locks each of its own.
 */
public final class TokenBucket {
  private final long intervalNanos;
  private final long toleranceNanos;
  private long theoreticalArrival;

  public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
    this.intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
    this.toleranceNanos = intervalNanos * (Math.max(1, (long) burst) - 1);
    this.theoreticalArrival = nowNanos;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long nowNanos) {
    return tryTake(nowNanos, 1);
  }

  /** Takes {@code cost} tokens if the first is available; a cost of 2 halves the sustained rate. */
  public boolean tryTake(long nowNanos, int cost) {
    long arrival = Math.max(theoreticalArrival, nowNanos);
    if (arrival - nowNanos > toleranceNanos) {
      return false;
    }
    theoreticalArrival = arrival + intervalNanos * cost;
    return true;
  }

  /** Milliseconds until a token will be available, at least 1. */
  public long millisUntilNext(long nowNanos) {
    long wait = Math.max(theoreticalArrival, nowNanos) - nowNanos - toleranceNanos;
    return Math.max(1, (wait + 999_999) / 1_000_000);
  }
}
