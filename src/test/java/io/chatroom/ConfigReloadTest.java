package io.chatroom;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.chatroom.audit.AuditLog;
import io.chatroom.config.Config;
import io.chatroom.config.ConfigFile;
import io.chatroom.monitor.AlertRule;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node re-reads CHATROOM_CONFIG_FILE when told to (what SIGHUP does): the log level, rates and alert
 * rules change at once, other settings are reported as needing a restart, and a file that does not validate
 * changes nothing.
 */
class ConfigReloadTest {
  @TempDir
  Path dataDir;
  Path file;
  Map<String, String> env;
  TestServer server;
  ConfigReload reload;
  ch.qos.logback.classic.Logger root;
  Level levelBefore;

  @BeforeEach
  void start() throws IOException {
    file = dataDir.resolve("chatroom.conf");
    Files.writeString(file, "# the node's settings\nLOG_LEVEL=INFO\n");
    env = new HashMap<>(Map.of("CHATROOM_CONFIG_FILE", file.toString(), "JWT_SECRET", "test-secret-that-is-at-least-32-characters-long",
        "CHATROOM_WS_RATE", "100000", "CHATROOM_WS_BURST", "100000", "CHATROOM_API_RATE", "100000", "CHATROOM_API_BURST", "100000",
        "SHED_CPU_PERCENT", "100", "SHED_MEMORY_PERCENT", "100"));
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir);
    server = TestServer.start(dataDir, db, ConfigFile.over(env));
    Config.Flags flags = new Config.Flags("127.0.0.1", "0", dataDir.toString(), null);
    reload = new ConfigReload(server.node(), ConfigFile.over(env), settings -> Config.load(flags, settings).withDatabase(db.url()));
    root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    levelBefore = root.getLevel();
  }

  @AfterEach
  void stop() {
    root.setLevel(levelBefore);
    server.close();
  }

  /** How many of {@code count} pings sent at once the node refuses with rate_limited. */
  private static long refusedPings(WsClient ws, int count) {
    return IntStream.range(0, count).mapToObj(i -> ws.request("ping"))
        .filter(reply -> "rate_limited".equals(reply.path("code").asText())).count();
  }

  private List<AuditLog.Event> audit() throws Exception {
    return await(server.node().database().read(c -> AuditLog.page(c, null, 10)));
  }

  @Test
  void aValidFileAppliesTheLogLevelAndRatesAndNamesWhatNeedsARestart() throws Exception {
    Http http = server.http();
    Http.Account alice = http.register("alice");
    try (WsClient before = WsClient.connect(server.port(), alice.token())) {
      Files.writeString(file, """
          LOG_LEVEL=DEBUG
          export CHATROOM_WS_RATE=1
          CHATROOM_WS_BURST="3"
          CHATROOM_API_RATE=1
          CHATROOM_API_BURST=2
          # needs a restart:
          CHATROOM_PING_INTERVAL_SECONDS=10
          JWT_SECRET=another-secret-that-is-at-least-32-characters
          """);
      ConfigReload.Outcome outcome = reload.reload(env);

      assertThat(outcome.ok()).as(outcome.refusal()).isTrue();
      assertThat(outcome.applied()).containsExactly("CHATROOM_API_BURST", "CHATROOM_API_RATE", "CHATROOM_WS_BURST", "CHATROOM_WS_RATE",
          "LOG_LEVEL");
      assertThat(outcome.needsRestart()).containsExactly("CHATROOM_PING_INTERVAL_SECONDS", "JWT_SECRET");
      assertThat(root.getLevel()).isEqualTo(Level.DEBUG);

      try (WsClient after = WsClient.connect(server.port(), alice.token())) {
        assertThat(refusedPings(after, 6)).as("a new connection starts with the new budget: hello and 2 pings").isGreaterThanOrEqualTo(3);
      }
      assertThat(refusedPings(before, 6)).as("an open connection keeps the budget it started with").isZero();
      List<Integer> statuses = IntStream.range(0, 4).mapToObj(i -> http.get("/api/rooms", alice.token()).status()).toList();
      assertThat(statuses).contains(429);
    }

    AuditLog.Event event = audit().get(0);
    assertThat(event.action()).isEqualTo("config.reload");
    assertThat(event.actor()).isEqualTo("system");
    assertThat(event.target()).isEqualTo(file.toString());
    assertThat(event.detail().path("changed").toString()).contains("JWT_SECRET", "LOG_LEVEL");
    assertThat(event.detail().path("needs_restart").toString()).isEqualTo("[\"CHATROOM_PING_INTERVAL_SECONDS\",\"JWT_SECRET\"]");
    assertThat(event.detail().toString()).doesNotContain("another-secret").doesNotContain("DEBUG");

    ConfigReload.Outcome again = reload.reload(env);
    assertThat(again.applied()).as("nothing changed since").isEmpty();
    assertThat(again.needsRestart()).as("still waiting for a restart").containsExactly("CHATROOM_PING_INTERVAL_SECONDS", "JWT_SECRET");
  }

  @Test
  void aFileThatDoesNotValidateChangesNothing() throws Exception {
    Http.Account bob = server.http().register("bob");
    Files.writeString(file, "CHATROOM_WS_RATE=1\nCHATROOM_WS_BURST=1\nLOG_LEVEL=LOUD\n");
    ConfigReload.Outcome outcome = reload.reload(env);
    assertThat(outcome.ok()).isFalse();
    assertThat(outcome.refusal()).contains("LOG_LEVEL").contains("'LOUD' is not a log level");
    assertThat(root.getLevel()).isEqualTo(levelBefore);
    try (WsClient ws = WsClient.connect(server.port(), bob.token())) {
      assertThat(refusedPings(ws, 10)).as("the valid rate in the same file was not applied either").isZero();
    }

    Files.writeString(file, "LOG_LEVEL=DEBUG\nthis is no setting\n");
    assertThat(reload.reload(env).refusal()).contains("CHATROOM_CONFIG_FILE").contains("line 2 is not NAME=value");
    Files.writeString(file, "LOG_LEVEL=DEBUG\nALERT_RULES_FILE=" + dataDir.resolve("missing.yml") + "\n");
    assertThat(reload.reload(env).refusal()).contains("ALERT_RULES_FILE");
    Files.delete(file);
    assertThat(reload.reload(env).refusal()).contains("CHATROOM_CONFIG_FILE").contains("cannot read");
    assertThat(root.getLevel()).isEqualTo(levelBefore);

    List<AuditLog.Event> events = audit();
    assertThat(events).hasSize(4).allSatisfy(e -> {
      assertThat(e.action()).isEqualTo("config.reload");
      assertThat(e.detail().path("refused").asBoolean()).isTrue();
    });
  }

  @Test
  void alertRulesAreReadAgainOnEveryReload() throws Exception {
    Path rules = dataDir.resolve("rules.yml");
    Files.writeString(rules, rule("OnlyOne"));
    Files.writeString(file, "LOG_LEVEL=INFO\nALERT_RULES_FILE=" + rules + "\n");
    assertThat(reload.reload(env).applied()).containsExactly("ALERT_RULES_FILE");
    assertThat(server.node().monitor().alerts().rules()).extracting(AlertRule::name).containsExactly("OnlyOne");

    Files.writeString(rules, rule("First") + rule("Second").replace("rules:\n", ""));
    ConfigReload.Outcome outcome = reload.reload(env);
    assertThat(outcome.ok()).isTrue();
    assertThat(outcome.changed()).as("the setting is the same; the file it names is not").isEmpty();
    assertThat(server.node().monitor().alerts().rules()).extracting(AlertRule::name).containsExactly("First", "Second");

    Files.writeString(file, "LOG_LEVEL=INFO\n");
    assertThat(reload.reload(env).applied()).containsExactly("ALERT_RULES_FILE");
    assertThat(server.node().monitor().alerts().rules()).as("unset: the defaults again").hasSizeGreaterThan(2);
  }

  private static String rule(String name) {
    return """
        rules:
          - name: %s
            figure: cpu_percent
            op: ">"
            threshold: 99
            for: 1m
            severity: warning
            summary: test rule
        """.formatted(name);
  }
}
