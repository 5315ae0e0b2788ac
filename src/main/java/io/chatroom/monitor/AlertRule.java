package io.chatroom.monitor;

import java.time.Duration;
import java.util.Locale;

/**
 * "When {@code figure} {@code op} {@code threshold} has held for {@code forDuration}, fire at
 * {@code severity}; after notifying, stay quiet about this rule for {@code cooldown}."
 */
public record AlertRule(
    String name,
    Figure figure,
    Op op,
    double threshold,
    Duration forDuration,
    Severity severity,
    Duration cooldown,
    String summary) {

  public enum Op {
    ABOVE(">"), BELOW("<");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(double value, double threshold) {
      return !Double.isNaN(value) && (this == ABOVE ? value > threshold : value < threshold);
    }

    static Op of(String s) {
      for (Op op : values()) {
        if (op.symbol.equals(s) || op.name().equalsIgnoreCase(s)) {
          return op;
        }
      }
      throw new IllegalArgumentException("op must be '>' or '<', not '" + s + "'");
    }
  }

  public enum Severity {
    WARNING, CRITICAL;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Severity of(String s) {
      for (Severity v : values()) {
        if (v.label().equalsIgnoreCase(s)) {
          return v;
        }
      }
      throw new IllegalArgumentException("severity must be warning or critical, not '" + s + "'");
    }
  }

  public boolean holds(Sample sample) {
    return op.holds(sample.get(figure), threshold);
  }

  /** "cpu_percent > 90" */
  public String condition() {
    return figure.key() + " " + op.symbol + " " + AlertEvent.format(threshold);
  }
}
