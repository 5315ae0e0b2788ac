package io.chatroom.bench;

/**
 * One load level of a stepped scenario, measured over {@code wallSeconds}. {@code offeredMsgsPerSec} is what the
 * load generator tried to send; {@code deliveriesPerSec} what arrived at subscribers; {@code serverCpuSeconds}
 * the CPU time the server process used meanwhile (NaN when it cannot be read). {@code saturated} says this level
 * was past what the server sustains: p99 over the limit, or deliveries falling behind the offered load.
 */
public record Step(double offeredMsgsPerSec, double deliveriesPerSec, double wallSeconds, double serverCpuSeconds,
    Latency latency, boolean saturated) {

  /** Deliveries per second of server CPU time; NaN when the CPU time is unknown or zero. */
  public double deliveriesPerCpuSecond() {
    return serverCpuSeconds > 0 ? deliveriesPerSec * wallSeconds / serverCpuSeconds : Double.NaN;
  }

  /** The share of one core the server used during the step. */
  public double serverCores() {
    return wallSeconds > 0 ? serverCpuSeconds / wallSeconds : Double.NaN;
  }
}
