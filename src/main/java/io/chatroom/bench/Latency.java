package io.chatroom.bench;

import org.HdrHistogram.Histogram;

/** End-to-end latency percentiles of one measurement, in milliseconds; {@code count} is how many were measured. */
public record Latency(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
  public static final Latency NONE = new Latency(0, 0, 0, 0, 0);

  /** From a histogram of nanoseconds. */
  public static Latency of(Histogram nanos) {
    if (nanos.getTotalCount() == 0) {
      return NONE;
    }
    return new Latency(nanos.getTotalCount(), ms(nanos.getValueAtPercentile(50)), ms(nanos.getValueAtPercentile(95)),
        ms(nanos.getValueAtPercentile(99)), ms(nanos.getMaxValue()));
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }
}
