package io.chatroom.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline numbers of each scenario, by the names results, tables and the README use, and the arithmetic
 * that derives them from measured steps.
 */
public final class Figures {
  /** At the highest load level the server sustained (the last step before the first saturated one). */
  public static final String DELIVERIES_PER_SEC = "deliveries_per_sec";
  public static final String DELIVERIES_PER_CPU_SECOND = "deliveries_per_cpu_second";
  /** The offered message rate of the first saturated step; absent when no step saturated. */
  public static final String SATURATION_MSGS_PER_SEC = "saturation_msgs_per_sec";
  /** p99 at the step nearest to (not above) 70 % of the sustained offered rate. */
  public static final String P99_MS_AT_70_PERCENT = "p99_ms_at_70pct";
  public static final String CONNECTIONS = "connections";
  /** Growth of the server's RSS with its Java heap pre-touched: the memory outside the heap. */
  public static final String NATIVE_BYTES_PER_CONNECTION = "native_bytes_per_connection";
  /** Growth of the live Java heap, read after a full GC. */
  public static final String HEAP_BYTES_PER_CONNECTION = "heap_bytes_per_connection";
  /** Heap plus native: what one more connection costs the server. */
  public static final String MEMORY_BYTES_PER_CONNECTION = "memory_bytes_per_connection";
  public static final String ACKED_PER_SEC = "acked_per_sec";
  /** Acknowledged sends per second of server CPU time: what compares across machines that differ in speed. */
  public static final String ACKED_PER_CPU_SECOND = "acked_per_cpu_second";
  /** The share of one core the server used while measured; below 1 on a pinned server, it waited on something else. */
  public static final String SERVER_CORES = "server_cores";
  public static final String ACK_P50_MS = "ack_p50_ms";
  public static final String ACK_P99_MS = "ack_p99_ms";
  public static final String ACK_MAX_MS = "ack_max_ms";
  public static final String RECONNECT_SECONDS = "reconnect_seconds";
  public static final String CAUGHT_UP_MESSAGES = "caught_up_messages";
  /** The server CPU time the storm took, from the first reconnect until everyone was caught up. */
  public static final String RECONNECT_CPU_SECONDS = "reconnect_cpu_seconds";

  private Figures() {}

  /**
   * The headline figures of a stepped scenario (rooms, broadcast), from steps in rising order of offered load.
   * When even the first step saturated, only the saturation point is known.
   */
  public static Map<String, Double> ofSteps(List<Step> steps) {
    Map<String, Double> figures = new LinkedHashMap<>();
    Step sustained = null;
    for (Step step : steps) {
      if (step.saturated()) {
        figures.put(SATURATION_MSGS_PER_SEC, step.offeredMsgsPerSec());
        break;
      }
      sustained = step;
    }
    if (sustained == null) {
      return figures;
    }
    figures.put(DELIVERIES_PER_SEC, sustained.deliveriesPerSec());
    putMeasured(figures, DELIVERIES_PER_CPU_SECOND, sustained.deliveriesPerCpuSecond());
    double seventyPercent = 0.7 * sustained.offeredMsgsPerSec();
    Step nearest = null;
    for (Step step : steps) {
      if (step.saturated()) {
        break;
      }
      if (step.offeredMsgsPerSec() <= seventyPercent * 1.0001) {
        nearest = step;
      }
    }
    if (nearest != null) {
      figures.put(P99_MS_AT_70_PERCENT, nearest.latency().p99Ms());
    }
    return figures;
  }

  /** {@code ours / theirs}, or NaN when either is missing or theirs is 0. */
  public static double ratio(Double ours, Double theirs) {
    if (ours == null || theirs == null || theirs == 0 || ours.isNaN() || theirs.isNaN()) {
      return Double.NaN;
    }
    return ours / theirs;
  }

  /** {@code count} per second of CPU time; NaN when the CPU time is unknown or zero. */
  public static double perCpuSecond(double count, double cpuSeconds) {
    return cpuSeconds > 0 ? count / cpuSeconds : Double.NaN;
  }

  /**
   * Puts {@code value} unless it is NaN: a figure that could not be measured (the server's CPU time with
   * {@code --target} and no {@code --server-pid}) is left out rather than reported as a number.
   */
  public static void putMeasured(Map<String, Double> figures, String name, double value) {
    if (!Double.isNaN(value)) {
      figures.put(name, value);
    }
  }

  /** Bytes per connection between two readings, or NaN when nothing was connected. */
  public static double perConnection(long baselineBytes, long loadedBytes, int connections) {
    return connections > 0 ? (loadedBytes - baselineBytes) / (double) connections : Double.NaN;
  }
}
