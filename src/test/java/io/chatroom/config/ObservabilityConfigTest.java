package io.chatroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitoring settings: defaults an operator can rely on, and one-line errors for bad values. */
class ObservabilityConfigTest {
  @TempDir
  Path dir;

  private Observability load(Map<String, String> env) {
    return Config.load(new Config.Flags(null, null, dir.toString(), null), env).observability();
  }

  @Test
  void defaultsAreJsonLogsNoExportAndTheDocumentedThresholds() {
    Observability o = load(Map.of());
    assertThat(o.jsonLogs()).isTrue();
    assertThat(o.logDir()).isNull();
    assertThat(o.otlpEndpoint()).isNull();
    assertThat(o.alertsWebhookToken()).as("the Alertmanager receiver is off by default").isNull();
    assertThat(o.monitorIntervalMs()).isEqualTo(60_000);
    assertThat(o.maxConnections()).isEqualTo(10_000);
    assertThat(o.shedCpuPercent()).isEqualTo(90);
    assertThat(o.shedMemoryPercent()).isEqualTo(95);
    assertThat(o.nodeId()).isNotBlank();
  }

  @Test
  void valuesAreReadFromTheEnvironment() {
    Observability o = load(Map.of("LOG_FORMAT", "TEXT", "LOG_DIR", "logs", "ADMIN_USERS", " alice , Bob,,",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "MONITOR_INTERVAL_SECONDS", "0.5", "CHATROOM_NODE_ID", "chat1"));
    assertThat(o.jsonLogs()).isFalse();
    assertThat(o.logDir()).as("a relative LOG_DIR lives under the data dir").isEqualTo(dir.resolve("logs").toAbsolutePath());
    assertThat(o.logDir()).isDirectory();
    assertThat(o.adminUsers()).containsExactlyInAnyOrder("alice", "Bob");
    assertThat(o.adminUsers().contains("ALICE")).as("usernames are case-insensitive").isTrue();
    assertThat(o.otlpEndpoint()).isEqualTo("http://127.0.0.1:4318");
    assertThat(o.monitorIntervalMs()).isEqualTo(500);
    assertThat(o.nodeId()).isEqualTo("chat1");
  }

  @Test
  void badValuesNameTheirSettingAndTheFix() {
    assertThatThrownBy(() -> load(Map.of("LOG_FORMAT", "xml")))
        .isInstanceOf(ConfigException.class).hasMessage("LOG_FORMAT: 'xml' is not a log format; use json (the default) or text");
    assertThatThrownBy(() -> load(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")))
        .hasMessageStartingWith("OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' is not an http(s) URL");
    assertThatThrownBy(() -> load(Map.of("ALERT_WEBHOOK_URL", "hooks.example.org")))
        .hasMessageStartingWith("ALERT_WEBHOOK_URL: ");
    assertThatThrownBy(() -> load(Map.of("SHED_CPU_PERCENT", "150")))
        .hasMessage("SHED_CPU_PERCENT: '150' is not a percentage; use a number from 0 to 100, e.g. 90");
    assertThatThrownBy(() -> load(Map.of("MONITOR_INTERVAL_SECONDS", "0")))
        .hasMessageStartingWith("MONITOR_INTERVAL_SECONDS: '0' is not a positive number");
    assertThatThrownBy(() -> load(Map.of("ALERT_RULES_FILE", dir.resolve("missing.yml").toString())))
        .hasMessageStartingWith("ALERT_RULES_FILE: cannot read ");
  }
}
