package io.chatroom.monitor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A rule started firing or resolved. {@code notified} is false when a cooldown held the notification back. */
public record AlertEvent(
    String rule,
    AlertRule.Severity severity,
    State state,
    Figure figure,
    double value,
    double threshold,
    String summary,
    boolean notified,
    long timestamp) {

  public enum State {
    FIRING, RESOLVED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State of(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /** One line for humans: "[FIRING critical] HighCpu: cpu_percent 97.5 > 90 (CPU is saturated)". */
  public String text(String node) {
    return "[" + state.name() + " " + severity.label() + "] " + rule + " on " + node + ": "
        + figure.key() + " " + format(value) + (state == State.FIRING ? " (threshold " + format(threshold) + ")" : "")
        + (summary.isEmpty() ? "" : " - " + summary);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", rule);
    m.put("severity", severity.label());
    m.put("state", state.label());
    m.put("figure", figure.key());
    m.put("value", Double.isFinite(value) ? value : null);
    m.put("threshold", threshold);
    m.put("summary", summary);
    m.put("notified", notified);
    m.put("timestamp", Instant.ofEpochMilli(timestamp).toString());
    return m;
  }

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
