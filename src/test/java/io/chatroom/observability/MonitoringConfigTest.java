package io.chatroom.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/monitoring is valid for the Prometheus 2.42 and Alertmanager 0.25 tools that check it, its rule
 * unit tests pass and cover every alert both ways, and the Grafana dashboard has its rows and queries.
 * promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages (.ci/run
 * installs them); without them the tool checks are skipped with a notice, except under {@code CI=true},
 * where a missing tool fails the run.
 */
class MonitoringConfigTest {
  static final Path DIR = Path.of("deploy", "monitoring").toAbsolutePath();
  static final Path PROMETHEUS_YML = DIR.resolve("prometheus.yml");
  static final Path RULES = DIR.resolve("alert_rules.yml");
  static final Path RULES_TEST = DIR.resolve("alert_rules_test.yml");
  static final Path ALERTMANAGER_YML = DIR.resolve("alertmanager.yml");
  static final Path DASHBOARD = DIR.resolve("grafana/dashboards/chatroom.json");
  static final Path DATASOURCES = DIR.resolve("grafana/provisioning/datasources/prometheus.yml");
  static final Path DASHBOARD_PROVIDERS = DIR.resolve("grafana/provisioning/dashboards/chatroom.yml");

  static final List<String> REQUIRED_ALERTS = List.of(
      "ChatRoomHighErrorRate", "ChatRoomHighResponseTime", "ChatRoomHighConcurrentConnections",
      "HighCPUUsage", "HighMemoryUsage", "DiskSpaceLow",
      "PostgreSQLDown", "PostgreSQLHighConnections", "RedisDown", "RedisHighMemory", "InstanceDown",
      "ChatRoomAvailabilityBudgetBurnFast", "ChatRoomAvailabilityBudgetBurnSlow",
      "ChatRoomLatencyBudgetBurnFast", "ChatRoomLatencyBudgetBurnSlow");
  static final List<String> ROWS = List.of("Overview", "Performance", "WebSocket", "Database", "System", "Errors");
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void prometheusConfigPassesPromtool() {
    Tool.Result r = Tool.require("promtool").run(tmp, TOOL_TIMEOUT, "check", "config", PROMETHEUS_YML.toString());
    assertThat(r.exitCode()).as("promtool check config:%n%s", r.output()).isZero();
  }

  @Test
  void alertRulesPassPromtool() {
    Tool.Result r = Tool.require("promtool").run(tmp, TOOL_TIMEOUT, "check", "rules", RULES.toString());
    assertThat(r.exitCode()).as("promtool check rules:%n%s", r.output()).isZero();
  }

  @Test
  void alertRuleUnitTestsPass() {
    Tool.Result r = Tool.require("promtool").run(tmp, TOOL_TIMEOUT, "test", "rules", RULES_TEST.toString());
    assertThat(r.exitCode()).as("promtool test rules:%n%s", r.output()).isZero();
  }

  @Test
  void alertmanagerConfigPassesAmtool() {
    Tool.Result r = Tool.require("amtool").run(tmp, TOOL_TIMEOUT, "check-config", ALERTMANAGER_YML.toString());
    assertThat(r.exitCode()).as("amtool check-config:%n%s", r.output()).isZero();
  }

  @Test
  void alertsReachTheRightReceivers() {
    Tool amtool = Tool.require("amtool");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("severity=critical service=chatroom", "oncall,chatroom-ops");
    expected.put("severity=warning service=chatroom", "chatroom-ops");
    expected.put("severity=critical service=database", "oncall,dba");
    expected.put("severity=warning service=database", "dba");
    expected.put("severity=critical service=system", "oncall");
    expected.put("severity=warning service=system", "default");
    expected.forEach((labels, receivers) -> {
      List<String> args = new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + ALERTMANAGER_YML));
      args.addAll(List.of(labels.split(" ")));
      Tool.Result r = amtool.run(tmp, TOOL_TIMEOUT, args.toArray(String[]::new));
      assertThat(r.exitCode()).as("amtool config routes test %s:%n%s", labels, r.output()).isZero();
      assertThat(r.stdout().strip()).as("receivers for %s", labels).isEqualTo(receivers);
    });
  }

  @Test
  void prometheusScrapesEveryPartOfTheDeployment() {
    JsonNode config = yaml(PROMETHEUS_YML);
    assertThat(config.path("global").path("scrape_interval").asText()).isEqualTo("15s");
    assertThat(config.path("global").path("evaluation_interval").asText()).isEqualTo("15s");
    assertThat(config.path("rule_files")).extracting(JsonNode::asText).containsExactly("alert_rules.yml");
    Map<String, List<String>> targets = new LinkedHashMap<>();
    for (JsonNode job : config.path("scrape_configs")) {
      List<String> t = new ArrayList<>();
      job.path("static_configs").forEach(sc -> sc.path("targets").forEach(x -> t.add(x.asText())));
      targets.put(job.path("job_name").asText(), t);
    }
    assertThat(targets).containsOnlyKeys("chatroom", "node", "postgres", "redis", "nginx", "prometheus");
    assertThat(targets.get("chatroom")).containsExactly("chat1:8888", "chat2:8888");
    assertThat(targets.get("node")).containsExactly("node-exporter:9100");
    assertThat(targets.get("postgres")).containsExactly("postgres-exporter:9187");
    assertThat(targets.get("redis")).containsExactly("redis-exporter:9121");
    assertThat(targets.get("nginx")).containsExactly("nginx-exporter:9113");
    JsonNode alertmanagers = config.path("alerting").path("alertmanagers").path(0).path("static_configs").path(0).path("targets");
    assertThat(alertmanagers).extracting(JsonNode::asText).containsExactly("alertmanager:9093");
  }

  @Test
  void requiredAlertsExistWithSeverityServiceAndText() {
    List<JsonNode> alerts = alertRules();
    assertThat(alerts).extracting(a -> a.path("alert").asText()).containsAll(REQUIRED_ALERTS);
    for (JsonNode a : alerts) {
      String name = a.path("alert").asText();
      assertThat(a.path("labels").path("severity").asText()).as("%s severity", name).isIn("warning", "critical");
      assertThat(a.path("labels").path("service").asText()).as("%s service", name).isIn("chatroom", "database", "redis", "system");
      assertThat(a.path("annotations").path("summary").asText()).as("%s summary", name).isNotBlank();
      assertThat(a.path("annotations").path("description").asText()).as("%s description", name).isNotBlank();
    }
  }

  @Test
  void everyAlertHasAFiringAndASilentUnitTest() {
    Set<String> alerts = new LinkedHashSet<>();
    alertRules().forEach(a -> alerts.add(a.path("alert").asText()));
    Set<String> firing = new LinkedHashSet<>();
    Set<String> silent = new LinkedHashSet<>();
    for (JsonNode test : yaml(RULES_TEST).path("tests")) {
      for (JsonNode c : test.path("alert_rule_test")) {
        String name = c.path("alertname").asText();
        (c.path("exp_alerts").isEmpty() ? silent : firing).add(name);
      }
    }
    // a misspelt alertname would make a silent case pass without testing anything
    assertThat(alerts).containsAll(firing).containsAll(silent);
    assertThat(firing).as("alerts with a case where they fire").containsAll(alerts);
    assertThat(silent).as("alerts with a case where they stay silent").containsAll(alerts);
  }

  @Test
  void dashboardHasItsRowsAndEveryPanelAQuery() {
    JsonNode dashboard = json(DASHBOARD);
    assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 39);
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    List<String> rows = new ArrayList<>();
    Set<Integer> ids = new LinkedHashSet<>();
    int panelsInRow = -1;
    String datasourceUid = yaml(DATASOURCES).path("datasources").path(0).path("uid").asText();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
      if ("row".equals(panel.path("type").asText())) {
        assertThat(panelsInRow).as("panels before row %s", panel.path("title").asText()).isNotZero();
        rows.add(panel.path("title").asText());
        panelsInRow = 0;
        continue;
      }
      panelsInRow++;
      String title = panel.path("title").asText();
      assertThat(panel.path("datasource").path("uid").asText()).as("%s datasource", title).isEqualTo(datasourceUid);
      assertThat(panel.path("targets")).as("%s targets", title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as("%s expr", title).isNotBlank();
      }
    }
    assertThat(panelsInRow).as("panels in the last row").isPositive();
    assertThat(rows).containsExactlyElementsOf(ROWS);
    assertThat(dashboardExprs()).allSatisfy(e -> assertThat(withGrafanaVariables(e)).doesNotContain("$"));
    assertThat(yaml(DASHBOARD_PROVIDERS).path("providers").path(0).path("options").path("path").asText()).isNotBlank();
  }

  /** Every alerting rule in alert_rules.yml, in file order. */
  static List<JsonNode> alertRules() {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode group : yaml(RULES).path("groups")) {
      group.path("rules").forEach(r -> {
        if (r.has("alert")) {
          out.add(r);
        }
      });
    }
    return out;
  }

  /** Rule group name to the exprs of its recording and alerting rules. */
  static Map<String, List<String>> ruleExprs() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (JsonNode group : yaml(RULES).path("groups")) {
      List<String> exprs = new ArrayList<>();
      group.path("rules").forEach(r -> exprs.add(r.path("expr").asText()));
      out.put(group.path("name").asText(), exprs);
    }
    return out;
  }

  /** Every target expr of the dashboard, as written (with Grafana variables). */
  static List<String> dashboardExprs() {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : json(DASHBOARD).path("panels")) {
      panel.path("targets").forEach(t -> out.add(t.path("expr").asText()));
    }
    return out;
  }

  /**
   * A dashboard expr as Prometheus can run it: Grafana's interval variables become 1m and the chat node
   * selector $instance becomes .* (what "All" selects).
   */
  static String withGrafanaVariables(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$__interval", "1m").replace("$__range", "1m")
        .replace("$instance", ".*");
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An external program found on PATH. */
  record Tool(Path path) {
    record Result(int exitCode, String stdout, String stderr) {
      String output() {
        return stdout + (stderr.isEmpty() ? "" : "\n[stderr]\n" + stderr);
      }
    }

    /**
     * The program {@code name} from PATH. Missing, it skips the calling test with a notice, or fails it
     * under {@code CI=true}.
     */
    static Tool require(String name) {
      String pathEnv = System.getenv().getOrDefault("PATH", "");
      for (String dir : pathEnv.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return new Tool(candidate);
        }
      }
      String notice = name + " not found on PATH (Debian packages prometheus and prometheus-alertmanager provide it)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(notice + ": CI=true requires it (.ci/run installs it)");
      }
      System.err.println("NOTICE: skipping test: " + notice);
      assumeTrue(false, notice);
      throw new AssertionError("unreachable");
    }

    /** Runs the program to completion within {@code timeout}, capturing its output in {@code scratch}. */
    Result run(Path scratch, Duration timeout, String... args) {
      List<String> command = new ArrayList<>();
      command.add(path.toString());
      command.addAll(List.of(args));
      try {
        Path out = Files.createTempFile(scratch, "tool", ".out");
        Path err = Files.createTempFile(scratch, "tool", ".err");
        Process p = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
              + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
