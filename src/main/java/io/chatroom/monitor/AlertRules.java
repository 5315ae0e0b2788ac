package io.chatroom.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chatroom.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The alert rules a node evaluates: the built-in defaults, or those of ALERT_RULES_FILE. */
public final class AlertRules {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(30);

  private AlertRules() {}

  /** The defaults: saturation of CPU, memory and disk, and more connections than the node is meant to carry. */
  public static List<AlertRule> defaults(int maxConnections) {
    return List.of(
        new AlertRule("HighCpuCritical", Figure.CPU_PERCENT, AlertRule.Op.ABOVE, 90, Duration.ofMinutes(2),
            AlertRule.Severity.CRITICAL, DEFAULT_COOLDOWN, "CPU is saturated; the node is shedding load or soon will"),
        new AlertRule("HighCpuWarning", Figure.CPU_PERCENT, AlertRule.Op.ABOVE, 80, Duration.ofMinutes(5),
            AlertRule.Severity.WARNING, DEFAULT_COOLDOWN, "CPU use is high; add a node before it saturates"),
        new AlertRule("HighMemoryCritical", Figure.MEMORY_PERCENT, AlertRule.Op.ABOVE, 95, Duration.ofMinutes(2),
            AlertRule.Severity.CRITICAL, DEFAULT_COOLDOWN, "memory is nearly exhausted"),
        new AlertRule("HighMemoryWarning", Figure.MEMORY_PERCENT, AlertRule.Op.ABOVE, 85, Duration.ofMinutes(5),
            AlertRule.Severity.WARNING, DEFAULT_COOLDOWN, "memory use is high"),
        new AlertRule("DiskSpaceLow", Figure.DISK_PERCENT, AlertRule.Op.ABOVE, 95, Duration.ofMinutes(1),
            AlertRule.Severity.WARNING, DEFAULT_COOLDOWN, "the data directory's disk is nearly full; free space or grow it"),
        new AlertRule("TooManyConnections", Figure.OPEN_CONNECTIONS, AlertRule.Op.ABOVE, maxConnections, Duration.ofMinutes(1),
            AlertRule.Severity.WARNING, DEFAULT_COOLDOWN, "more WebSocket connections than CHATROOM_MAX_CONNECTIONS"));
  }

  /**
   * Reads rules from YAML:
   * <pre>
   * rules:
   *   - name: HighCpu
   *     figure: cpu_percent      # any figure key of the monitor
   *     op: "&gt;"               # or "&lt;"
   *     threshold: 90
   *     for: 2m                  # ms, s, m, h, d
   *     severity: critical       # or warning
   *     cooldown: 30m            # optional, default 30m
   *     summary: CPU is saturated
   * </pre>
   *
   * @throws ConfigException naming ALERT_RULES_FILE, the rule and what is wrong with it
   */
  public static List<AlertRule> load(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw invalid(file, "is not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    JsonNode rules = root == null ? null : root.get("rules");
    if (rules == null || !rules.isArray() || rules.isEmpty()) {
      throw invalid(file, "has no 'rules' list");
    }
    List<AlertRule> parsed = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode r : rules) {
      String name = r.path("name").asText("");
      try {
        if (name.isBlank()) {
          throw new IllegalArgumentException("a rule has no name");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("the name is used twice");
        }
        if (!r.path("threshold").isNumber()) {
          throw new IllegalArgumentException("threshold must be a number");
        }
        parsed.add(new AlertRule(name,
            Figure.ofKey(required(r, "figure")),
            AlertRule.Op.of(required(r, "op")),
            r.path("threshold").asDouble(),
            duration(r.path("for").asText("0s")),
            AlertRule.Severity.of(required(r, "severity")),
            r.has("cooldown") ? duration(r.path("cooldown").asText()) : DEFAULT_COOLDOWN,
            r.path("summary").asText("")));
      } catch (IllegalArgumentException e) {
        throw invalid(file, "rule '" + name + "': " + e.getMessage());
      }
    }
    return List.copyOf(parsed);
  }

  private static String required(JsonNode rule, String field) {
    String v = rule.path(field).asText("");
    if (v.isBlank()) {
      throw new IllegalArgumentException("'" + field + "' is required");
    }
    return v;
  }

  static Duration duration(String s) {
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + s + "' is not a duration like 90s, 5m or 1h");
    }
    try {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      d.toMillis(); // the engine works in milliseconds: fail here, not at the first evaluation
      return d;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is too long a duration");
    }
  }

  private static ConfigException invalid(Path file, String problem) {
    return new ConfigException("ALERT_RULES_FILE", file + " " + problem, "fix the file (see docs/monitoring.md for the format) or unset it");
  }
}
