package io.chatroom.monitor;

import io.chatroom.observability.Metrics;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protects an overloaded node instead of only reporting it. While CPU or memory is over its threshold (100
 * turns that check off), or the node carries as many WebSocket connections as it is meant to, it: refuses new WebSocket connections
 * (503 with Retry-After), halves every connection's frame rate, and caps history pages at
 * {@value #SHED_PAGE_LIMIT}. Each switch is logged and counted. It switches back only after the condition
 * has been clear for the cooldown, so a node hovering at the threshold does not flap.
 */
public final class LoadShedder {
  private static final Logger log = LoggerFactory.getLogger(LoadShedder.class);
  static final int SHED_PAGE_LIMIT = 20;
  /** While shedding each frame costs this many tokens: the rate limit halves. */
  static final int SHED_FRAME_COST = 2;

  /** What the decision is made from. */
  public record Load(double cpuPercent, double memoryPercent, int connections) {}

  public record Thresholds(double cpuPercent, double memoryPercent, int maxConnections, long cooldownMs) {}

  private final Supplier<Load> load;
  private final Thresholds thresholds;
  private final Metrics metrics;
  private volatile boolean active;
  private long clearSince = -1;

  public LoadShedder(Supplier<Load> load, Thresholds thresholds, Metrics metrics) {
    this.load = load;
    this.thresholds = thresholds;
    this.metrics = metrics;
  }

  /** Re-reads the load and switches shedding on or off. Called periodically, off the event loops. */
  public synchronized void evaluate(long nowMs) {
    Load now = load.get();
    String reason = overloadReason(now);
    if (reason != null) {
      clearSince = -1;
      if (!active) {
        active = true;
        metrics.loadShedding(true);
        metrics.loadSheddingAction("tighten_rate_limit");
        metrics.loadSheddingAction("shrink_history_page");
        log.warn("load shedding ON ({}): refusing new WebSocket connections, halving per-connection rate limits, "
            + "capping history pages at {}", reason, SHED_PAGE_LIMIT);
      }
      return;
    }
    if (!active) {
      return;
    }
    if (clearSince < 0) {
      clearSince = nowMs;
    }
    if (nowMs - clearSince >= thresholds.cooldownMs()) {
      active = false;
      clearSince = -1;
      metrics.loadShedding(false);
      log.info("load shedding OFF: load has been under the thresholds for {} s", thresholds.cooldownMs() / 1000);
    }
  }

  private String overloadReason(Load l) {
    if (l.cpuPercent() > thresholds.cpuPercent()) {
      return String.format(java.util.Locale.ROOT, "cpu %.1f%% > %.1f%%", l.cpuPercent(), thresholds.cpuPercent());
    }
    if (l.memoryPercent() > thresholds.memoryPercent()) {
      return String.format(java.util.Locale.ROOT, "memory %.1f%% > %.1f%%", l.memoryPercent(), thresholds.memoryPercent());
    }
    if (l.connections() >= thresholds.maxConnections()) {
      return l.connections() + " connections >= CHATROOM_MAX_CONNECTIONS " + thresholds.maxConnections();
    }
    return null;
  }

  public boolean active() {
    return active;
  }

  /** Whether a new WebSocket connection may be accepted; a refusal is counted. */
  public boolean admitConnection() {
    if (active || metrics.connectionsActive() >= thresholds.maxConnections()) {
      metrics.loadSheddingAction("refuse_connection");
      return false;
    }
    return true;
  }

  /** Seconds a refused client should wait before trying again. */
  public long retryAfterSeconds() {
    return Math.max(1, thresholds.cooldownMs() / 1000);
  }

  /** Tokens one client frame costs now. */
  public int frameCost() {
    return active ? SHED_FRAME_COST : 1;
  }

  /** The history page size to use for a request asking {@code requested} (null: the default). */
  public Integer historyLimit(Integer requested) {
    if (!active) {
      return requested;
    }
    return requested == null ? SHED_PAGE_LIMIT : Math.min(requested, SHED_PAGE_LIMIT);
  }
}
