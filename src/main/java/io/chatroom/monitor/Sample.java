package io.chatroom.monitor;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The node's figures at one moment. */
public record Sample(long timestamp, Map<Figure, Double> figures) {
  public Sample {
    Map<Figure, Double> copy = new EnumMap<>(Figure.class);
    copy.putAll(figures);
    figures = Collections.unmodifiableMap(copy);
  }

  public double get(Figure figure) {
    Double v = figures.get(figure);
    return v == null ? Double.NaN : v;
  }

  /** The JSON shape: {"timestamp": ms, "cpu_percent": 12.5, ...}. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("timestamp", timestamp);
    figures.forEach((f, v) -> m.put(f.key(), v));
    return m;
  }

  public static Sample fromJson(Map<String, Object> json) {
    Map<Figure, Double> figures = new EnumMap<>(Figure.class);
    for (Figure f : Figure.values()) {
      if (json.get(f.key()) instanceof Number n) {
        figures.put(f, n.doubleValue());
      }
    }
    return new Sample(((Number) json.get("timestamp")).longValue(), figures);
  }
}
