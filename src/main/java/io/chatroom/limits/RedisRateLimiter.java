package io.chatroom.limits;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Buckets in Redis, shared by every node: one EVAL per request, the GCRA state one key with an expiry.
 * Time is Redis's own clock, so nodes with skewed clocks still agree. If Redis does not answer, the
 * request is allowed: a rate limit must not turn a Redis outage into an API outage.
 */
public final class RedisRateLimiter implements RateLimiter {
  /** KEYS[1]: bucket. ARGV: interval_us, tolerance_us. Returns 0 when allowed, else microseconds to wait. */
  private static final String GCRA = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local interval = tonumber(ARGV[1])
      local tolerance = tonumber(ARGV[2])
      local tat = tonumber(redis.call('GET', KEYS[1]) or now)
      if tat < now then tat = now end
      if tat - now > tolerance then
        return tat - now - tolerance
      end
      local ttl = math.ceil((tat + interval - now) / 1000)
      redis.call('SET', KEYS[1], tat + interval, 'PX', ttl)
      return 0
      """;

  private final Redis client;
  private final String prefix;
  /** Replaced as a whole by {@link #setRate}, so a request never mixes an old interval with a new tolerance. */
  private volatile Gcra gcra;

  /**
   * @param keyPrefix names the rate in every key, so that buckets kept at one rate are never read at another:
   *                  a new rate starts every key afresh, as {@link LocalRateLimiter} does, and nodes that were
   *                  not reloaded yet keep their own buckets meanwhile
   */
  private record Gcra(long intervalMicros, long toleranceMicros, String keyPrefix) {
    static Gcra of(String prefix, Rate rate) {
      long interval = Math.max(1, Math.round(1e6 / rate.perSecond()));
      long tolerance = interval * (Math.max(1, rate.burst()) - 1);
      return new Gcra(interval, tolerance, prefix + interval + "/" + tolerance + ":");
    }
  }

  public RedisRateLimiter(Redis client, String prefix, double ratePerSecond, int burst) {
    this.client = client;
    this.prefix = prefix + ":rate:";
    this.gcra = Gcra.of(this.prefix, new Rate(ratePerSecond, burst));
  }

  @Override
  public void setRate(Rate rate) {
    gcra = Gcra.of(prefix, rate);
  }

  @Override
  public Future<Decision> acquire(String key) {
    Gcra g = gcra;
    return client.send(Request.cmd(Command.EVAL).arg(GCRA).arg(1).arg(g.keyPrefix() + key).arg(g.intervalMicros()).arg(g.toleranceMicros()))
        .map(r -> {
          long waitMicros = r.toLong();
          return waitMicros == 0 ? Decision.ALLOWED : new Decision(false, Math.max(1, (waitMicros + 999) / 1000));
        })
        .otherwise(Decision.ALLOWED);
  }
}
