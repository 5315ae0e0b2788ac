package io.chatroom.bench;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What every client of a run reports into, from any event loop: counts and latency histograms (nanoseconds)
 * that a scenario reads interval by interval.
 */
final class Tally {
  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  /** Deliveries of a seq the client had not seen: each counts once. */
  final LongAdder delivered = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder errors = new LongAdder();
  private final Recorder deliveryLatency = new Recorder(3);
  private final Recorder ackLatency = new Recorder(3);
  private final AtomicReference<String> firstError = new AtomicReference<>();

  void delivery(long latencyNanos) {
    delivered.increment();
    deliveryLatency.recordValue(Math.max(0, latencyNanos));
  }

  void ack(long latencyNanos) {
    acked.increment();
    ackLatency.recordValue(Math.max(0, latencyNanos));
  }

  void error(String what) {
    errors.increment();
    firstError.compareAndSet(null, what);
  }

  String firstError() {
    return firstError.get();
  }

  /** The delivery latencies recorded since the last call. */
  Histogram deliveryInterval() {
    return deliveryLatency.getIntervalHistogram();
  }

  /** The ack latencies recorded since the last call. */
  Histogram ackInterval() {
    return ackLatency.getIntervalHistogram();
  }
}
