package io.chatroom.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.chatroom.config.ConfigException;
import io.chatroom.monitor.AlertRule.Op;
import io.chatroom.monitor.AlertRule.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertRulesTest {
  @TempDir
  Path dir;

  private Path file(String yaml) throws IOException {
    Path f = dir.resolve("alerts.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  /** A file with one rule made of these fields, as written in YAML. */
  private static String oneRule(String name, String figure, String op, String threshold, String forDuration,
      String severity) {
    return "rules:\n"
        + "  - name: " + name + "\n"
        + "    figure: " + figure + "\n"
        + "    op: " + op + "\n"
        + "    threshold: " + threshold + "\n"
        + "    for: " + forDuration + "\n"
        + "    severity: " + severity + "\n";
  }

  private static String validRule(String name) {
    return oneRule(name, "cpu_percent", "\">\"", "90", "2m", "critical");
  }

  private String rejectionOf(String yaml) throws IOException {
    Path f = file(yaml);
    Throwable thrown = catchThrowable(() -> AlertRules.load(f));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(thrown.getMessage()).startsWith("ALERT_RULES_FILE: ").contains(f.toString());
    return thrown.getMessage();
  }

  @Test
  void loadsEveryFieldOfAValidFile() throws IOException {
    Path f = file("""
        rules:
          - name: HighCpu
            figure: cpu_percent
            op: ">"
            threshold: 90
            for: 90s
            severity: critical
            cooldown: 1h
            summary: CPU is saturated
          - name: LowDiskSpace
            figure: disk_free_bytes
            op: "<"
            threshold: 1073741824.5
            for: 2m
            severity: warning
        """);

    List<AlertRule> rules = AlertRules.load(f);

    assertThat(rules).containsExactly(
        new AlertRule("HighCpu", Figure.CPU_PERCENT, Op.ABOVE, 90, Duration.ofSeconds(90), Severity.CRITICAL,
            Duration.ofHours(1), "CPU is saturated"),
        new AlertRule("LowDiskSpace", Figure.DISK_FREE_BYTES, Op.BELOW, 1073741824.5, Duration.ofMinutes(2),
            Severity.WARNING, Duration.ofMinutes(30), ""));
  }

  @Test
  void unitsOfEveryDurationAreUnderstood() throws IOException {
    Path f = file("""
        rules:
          - {name: A, figure: cpu_percent, op: ">", threshold: 1, for: 250ms, severity: warning, cooldown: 1d}
          - {name: B, figure: cpu_percent, op: ">", threshold: 1, for: 45s, severity: warning, cooldown: 3h}
          - {name: C, figure: cpu_percent, op: ">", threshold: 1, severity: warning, cooldown: 0s}
        """);

    List<AlertRule> rules = AlertRules.load(f);

    assertThat(rules).extracting(AlertRule::forDuration)
        .containsExactly(Duration.ofMillis(250), Duration.ofSeconds(45), Duration.ZERO);
    assertThat(rules).extracting(AlertRule::cooldown)
        .containsExactly(Duration.ofDays(1), Duration.ofHours(3), Duration.ZERO);
  }

  @Test
  void anUnknownFigureIsRejectedListingTheKnownKeys() throws IOException {
    String message = rejectionOf(oneRule("HighCpu", "cpu_pct", "\">\"", "90", "2m", "critical"));

    assertThat(message).contains("HighCpu", "unknown figure 'cpu_pct'");
    assertThat(message).contains(Arrays.stream(Figure.values()).map(Figure::key).toList());
  }

  @Test
  void aBadOpIsRejected() throws IOException {
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">=\"", "90", "2m", "critical")))
        .contains("HighCpu", "op must be", "'>='");
  }

  @Test
  void aBadSeverityIsRejected() throws IOException {
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">\"", "90", "2m", "info")))
        .contains("HighCpu", "severity", "'info'");
  }

  @Test
  void aNonNumericThresholdIsRejected() throws IOException {
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">\"", "high", "2m", "critical")))
        .contains("HighCpu", "threshold must be a number");
  }

  @Test
  void aBadDurationIsRejected() throws IOException {
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">\"", "90", "5 minutes", "critical")))
        .contains("HighCpu", "'5 minutes' is not a duration");
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">\"", "90", "1.5m", "critical")))
        .contains("HighCpu", "'1.5m' is not a duration");
    assertThat(rejectionOf(validRule("HighCpu") + "    cooldown: soon\n"))
        .contains("HighCpu", "'soon' is not a duration");
  }

  @Test
  void aDurationTooLongForTheCalendarIsAConfigError() throws IOException {
    // Duration.ofDays overflows: this must be the operator-facing config error, not an ArithmeticException
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">\"", "90", "99999999999999999d", "critical")))
        .contains("HighCpu", "99999999999999999d");
  }

  @Test
  void aDurationTooLongForMillisecondsIsRejectedAtLoadNotAtEvaluation() throws IOException {
    // 9999999999999h fits a Duration but not a long of milliseconds, which AlertEngine computes on every sample
    assertThat(rejectionOf(oneRule("HighCpu", "cpu_percent", "\">\"", "90", "9999999999999h", "critical")))
        .contains("HighCpu", "9999999999999h");
    assertThat(rejectionOf(validRule("HighCpu") + "    cooldown: 9999999999999h\n"))
        .contains("HighCpu", "9999999999999h");
  }

  @Test
  void aDuplicateNameIsRejected() throws IOException {
    String yaml = validRule("HighCpu")
        + "  - name: HighCpu\n"
        + "    figure: memory_percent\n"
        + "    op: \">\"\n"
        + "    threshold: 85\n"
        + "    for: 5m\n"
        + "    severity: warning\n";
    assertThat(rejectionOf(yaml)).contains("HighCpu", "used twice");
  }

  @Test
  void aMissingRequiredFieldIsRejected() throws IOException {
    assertThat(rejectionOf("rules:\n  - name: NoFigure\n    op: \">\"\n    threshold: 1\n    severity: warning\n"))
        .contains("NoFigure", "'figure' is required");
    assertThat(rejectionOf("rules:\n  - figure: cpu_percent\n    op: \">\"\n    threshold: 1\n    severity: warning\n"))
        .contains("no name");
  }

  @Test
  void aFileWithoutARulesListIsRejected() throws IOException {
    assertThat(rejectionOf("alerts:\n  - name: HighCpu\n")).contains("has no 'rules' list");
    assertThat(rejectionOf("rules: []\n")).contains("has no 'rules' list");
    assertThat(rejectionOf("rules: HighCpu\n")).contains("has no 'rules' list");
    assertThat(rejectionOf("")).contains("has no 'rules' list");
  }

  @Test
  void aFileThatIsNotYamlIsRejected() throws IOException {
    assertThat(rejectionOf("rules: [\n  {name: HighCpu, figure: cpu_percent\n")).contains("is not valid YAML");
    assertThat(rejectionOf("rules:\n  - name: A\n\tfigure: cpu_percent\n")).contains("is not valid YAML");
  }

  @Test
  void theDefaultsCoverCpuMemoryDiskAndConnections() {
    List<AlertRule> rules = AlertRules.defaults(500);

    assertThat(rules)
        .extracting(AlertRule::figure, AlertRule::op, AlertRule::threshold, AlertRule::severity)
        .containsExactlyInAnyOrder(
            tuple(Figure.CPU_PERCENT, Op.ABOVE, 90.0, Severity.CRITICAL),
            tuple(Figure.CPU_PERCENT, Op.ABOVE, 80.0, Severity.WARNING),
            tuple(Figure.MEMORY_PERCENT, Op.ABOVE, 95.0, Severity.CRITICAL),
            tuple(Figure.MEMORY_PERCENT, Op.ABOVE, 85.0, Severity.WARNING),
            tuple(Figure.DISK_PERCENT, Op.ABOVE, 95.0, Severity.WARNING),
            tuple(Figure.OPEN_CONNECTIONS, Op.ABOVE, 500.0, Severity.WARNING));
    assertThat(rules).extracting(AlertRule::name).doesNotHaveDuplicates();
    assertThat(rules).allSatisfy(r -> {
      assertThat(r.cooldown()).isEqualTo(Duration.ofMinutes(30));
      assertThat(r.forDuration()).isPositive();
      assertThat(r.summary()).isNotBlank();
    });
  }

  @Test
  void theConnectionsDefaultFollowsMaxConnections() {
    assertThat(AlertRules.defaults(123))
        .filteredOn(r -> r.figure() == Figure.OPEN_CONNECTIONS)
        .singleElement()
        .extracting(AlertRule::threshold)
        .isEqualTo(123.0);
  }
}
