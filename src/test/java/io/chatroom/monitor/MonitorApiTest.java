package io.chatroom.monitor;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.testing.Await;
import io.chatroom.testing.Handshake;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in monitor as an operator meets it: the admin API, alerts in the ops room and webhooks, load shedding. */
class MonitorApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;
  TestServer server;
  Vertx vertx;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  private TestServer start(Map<String, String> env) {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), env);
    return server;
  }

  private static String code(Http.Response r) {
    return r.body().path("error").path("code").asText();
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  @Test
  void theMonitorApiIsForAdminsAndReportsCurrentHistoryAndSummary() {
    Http http = start(Map.of("ADMIN_USERS", "alice", "MONITOR_INTERVAL_SECONDS", "0.1")).http();
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");

    Http.Response current = http.get("/api/admin/monitor/current", alice.token());
    assertThat(current.status()).isEqualTo(200);
    JsonNode sample = current.body().path("sample");
    for (Figure f : Figure.values()) {
      assertThat(sample.has(f.key())).as(f.key()).isTrue();
    }
    assertThat(sample.path("cpu_percent").asDouble()).isBetween(0.0, 100.0);
    assertThat(sample.path("disk_free_bytes").asLong()).isPositive();
    assertThat(current.body().path("load_shedding").asBoolean()).isFalse();

    assertThat(http.get("/api/admin/monitor/current", bob.token()).status()).isEqualTo(403);
    assertThat(code(http.get("/api/admin/alerts", bob.token()))).isEqualTo("forbidden");
    assertThat(http.get("/api/admin/monitor/current", null).status()).isEqualTo(401);

    Await.until(() -> http.get("/api/admin/monitor/history?hours=1", alice.token()).body().path("samples").size() >= 3);
    List<JsonNode> samples = list(http.get("/api/admin/monitor/history?hours=1", alice.token()).body().path("samples"));
    assertThat(samples).extracting(s -> s.path("timestamp").asLong()).isSorted();

    JsonNode summary = http.get("/api/admin/monitor/summary?hours=2", alice.token()).body();
    assertThat(summary.path("hours").asInt()).isEqualTo(2);
    assertThat(summary.path("samples").asInt()).isGreaterThanOrEqualTo(3);
    JsonNode cpu = summary.path("figures").path("cpu_percent");
    assertThat(cpu.path("min").asDouble()).isLessThanOrEqualTo(cpu.path("avg").asDouble());
    assertThat(cpu.path("avg").asDouble()).isLessThanOrEqualTo(cpu.path("max").asDouble());
    assertThat(summary.path("figures").path("total_messages").has("avg")).isTrue();

    assertThat(code(http.get("/api/admin/monitor/history?hours=0", alice.token()))).isEqualTo("invalid_request");
    assertThat(code(http.get("/api/admin/monitor/summary?hours=25", alice.token()))).isEqualTo("invalid_request");
  }

  @Test
  void samplesSurviveARestart() {
    Http http = start(Map.of("ADMIN_USERS", "alice", "MONITOR_INTERVAL_SECONDS", "0.1")).http();
    Http.Account alice = http.register("alice");
    Await.until(() -> http.get("/api/admin/monitor/history", alice.token()).body().path("samples").size() >= 3);
    long firstBefore = http.get("/api/admin/monitor/history", alice.token()).body().path("samples").get(0).path("timestamp").asLong();
    server.restart();
    Http again = server.http();
    JsonNode after = again.get("/api/admin/monitor/history", alice.token()).body().path("samples");
    assertThat(list(after)).extracting(s -> s.path("timestamp").asLong()).contains(firstBefore);
  }

  @Test
  void aFiringRuleIsPostedToTheOpsRoomAndTheWebhookThenResolves() throws Exception {
    vertx = Vertx.vertx();
    List<JsonNode> hooks = new CopyOnWriteArrayList<>();
    HttpServer hook = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      try {
        hooks.add(JSON.readTree(body.getBytes()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      req.response().end();
    })).listen(0, "127.0.0.1"));
    Path rules = dataDir.resolve("rules.yml");
    Files.writeString(rules, """
        rules:
          - name: SomeoneIsConnected
            figure: open_connections
            op: ">"
            threshold: 0
            for: 0s
            severity: warning
            cooldown: 1h
            summary: a test rule
        """);
    Map<String, String> env = new HashMap<>();
    env.put("ADMIN_USERS", "alice");
    env.put("MONITOR_INTERVAL_SECONDS", "0.1");
    env.put("ALERT_RULES_FILE", rules.toString());
    env.put("ALERT_WEBHOOK_URL", "http://127.0.0.1:" + hook.actualPort() + "/hook");
    Http http = start(env).http();
    Http.Account alice = http.register("alice");

    try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
      assertThat(ws.join("ops").path("type").asText()).as("an admin is a member of the private ops room").isEqualTo("ok");
      JsonNode notice = ws.messages("ops", 1).get(0);
      assertThat(notice.path("from").asText()).isEqualTo("system");
      assertThat(notice.path("text").asText()).contains("[FIRING warning] SomeoneIsConnected", "a test rule");

      JsonNode alerts = http.get("/api/admin/alerts", alice.token()).body();
      assertThat(list(alerts.path("active"))).extracting(a -> a.path("rule").asText()).containsExactly("SomeoneIsConnected");
      assertThat(list(alerts.path("rules"))).extracting(a -> a.path("condition").asText()).containsExactly("open_connections > 0");
    }
    Await.until(() -> hooks.stream().anyMatch(h -> h.path("state").asText().equals("resolved")));
    assertThat(hooks).extracting(h -> h.path("rule").asText() + "/" + h.path("state").asText())
        .containsExactly("SomeoneIsConnected/firing", "SomeoneIsConnected/resolved");
    assertThat(hooks.get(0).path("source").asText()).isEqualTo("chatroom");

    // the event is stored and posted to the ops room concurrently with the webhook call
    Await.until(() -> http.get("/api/admin/alerts", alice.token()).body().path("history").size() == 2
        && http.get("/api/rooms/ops/messages", alice.token()).body().path("messages").size() == 2);
    JsonNode history = http.get("/api/admin/alerts", alice.token()).body();
    assertThat(list(history.path("active"))).isEmpty();
    assertThat(list(history.path("history"))).extracting(e -> e.path("state").asText()).containsExactly("resolved", "firing");
    List<String> opsTexts = new ArrayList<>();
    http.get("/api/rooms/ops/messages", alice.token()).body().path("messages").forEach(m -> opsTexts.add(m.path("text").asText()));
    assertThat(opsTexts).hasSize(2);
    assertThat(opsTexts.get(1)).startsWith("[RESOLVED warning] SomeoneIsConnected");
    Http.Account bob = http.register("bob");
    assertThat(http.get("/api/rooms/ops/messages", bob.token()).status()).as("the ops room is private").isEqualTo(403);
  }

  @Test
  void alertmanagerNotificationsArePostedOnceIntoTheOpsRoom() throws Exception {
    Http http = start(Map.of("ADMIN_USERS", "alice", "ALERTS_WEBHOOK_TOKEN", "am-secret-token")).http();
    Http.Account alice = http.register("alice");
    String payload = """
        {"version":"4","status":"firing","receiver":"chatroom-ops","groupKey":"{}:{alertname=\\"RedisDown\\"}",
         "alerts":[
          {"status":"firing","labels":{"alertname":"RedisDown","severity":"critical","instance":"redis:9121"},
           "annotations":{"summary":"Redis is down"},"startsAt":"2026-11-26T01:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"a1b2c3d4e5f60718"},
          {"status":"resolved","labels":{"alertname":"InstanceDown","severity":"critical","instance":"chat2:8888"},
           "annotations":{"summary":"chat2 is back"},"startsAt":"2026-11-26T00:50:00Z","endsAt":"2026-11-26T00:59:00Z","fingerprint":"0f1e2d3c4b5a6978"}
         ]}
        """;
    Http.Response posted = http.postRaw("/api/alerts/webhook", "am-secret-token", payload);
    assertThat(posted.status()).isEqualTo(200);
    assertThat(posted.body().path("posted").asInt()).isEqualTo(2);
    assertThat(http.postRaw("/api/alerts/webhook", "am-secret-token", payload).status()).as("Alertmanager retries").isEqualTo(200);
    assertThat(http.postRaw("/api/alerts/webhook", "wrong", payload).status()).isEqualTo(401);
    assertThat(http.postRaw("/api/alerts/webhook", null, payload).status()).isEqualTo(401);
    assertThat(code(http.postRaw("/api/alerts/webhook", "am-secret-token", "{\"alerts\":5}"))).isEqualTo("invalid_request");

    List<String> texts = new ArrayList<>();
    http.get("/api/rooms/ops/messages", alice.token()).body().path("messages").forEach(m -> texts.add(m.path("text").asText()));
    assertThat(texts).containsExactly(
        "[FIRING critical] RedisDown on redis:9121: Redis is down (Alertmanager)",
        "[RESOLVED critical] InstanceDown on chat2:8888: chat2 is back (Alertmanager)");
  }

  @Test
  void theAlertmanagerReceiverIsOffWithoutAToken() {
    Http http = start(Map.of()).http();
    Http.Response r = http.postRaw("/api/alerts/webhook", "anything", "{\"alerts\":[]}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().path("error").path("message").asText()).contains("ALERTS_WEBHOOK_TOKEN");
  }

  @Test
  void anOverloadedNodeRefusesNewConnectionsShrinksPagesAndRecovers() throws Exception {
    Map<String, String> env = Map.of("CHATROOM_MAX_CONNECTIONS", "1", "SHED_CHECK_INTERVAL_SECONDS", "0.05",
        "SHED_COOLDOWN_SECONDS", "0.3");
    Http http = start(env).http();
    Http.Account alice = http.register("alice");
    try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
      ws.join("general");
      for (int i = 0; i < 30; i++) {
        ws.send("general", "m" + i, "c" + i);
      }
      // from the start of a line: the gauge's HELP line reads "chatroom_load_shedding_active 1 while ..."
      Await.until(() -> server.node().metrics().scrape().contains("\nchatroom_load_shedding_active 1"));

      Handshake.Answer refused = Handshake.upgrade(server.port(), Map.of());
      assertThat(refused.status()).contains(" 503 ");
      assertThat(refused.headers()).contains("retry-after: 1");
      assertThat(refused.body()).contains("\"code\":\"overloaded\"");
      assertThat(http.get("/api/rooms/general/messages?limit=100", alice.token()).body().path("messages").size())
          .as("history pages shrink while shedding").isEqualTo(LoadShedder.SHED_PAGE_LIMIT);
      assertThat(server.node().metrics().scrape()).contains("chatroom_load_shedding_actions_total{action=\"refuse_connection\"} 1.0");
    }
    Await.until(() -> server.node().metrics().scrape().contains("\nchatroom_load_shedding_active 0"));
    assertThat(Handshake.upgrade(server.port(), Map.of()).switched()).isTrue();
    assertThat(http.get("/api/rooms/general/messages?limit=100", alice.token()).body().path("messages").size()).isEqualTo(30);
  }

  @Test
  void forcingTheMemoryThresholdLowShedsAtOnce() throws Exception {
    Http http = start(Map.of("ADMIN_USERS", "alice", "SHED_MEMORY_PERCENT", "0", "SHED_CHECK_INTERVAL_SECONDS", "0.05")).http();
    Http.Account alice = http.register("alice");
    Await.until(() -> http.get("/api/admin/monitor/current", alice.token()).body().path("load_shedding").asBoolean());
    assertThat(Handshake.upgrade(server.port(), Map.of()).status()).contains(" 503 ");
    assertThat(server.node().metrics().scrape()).contains("chatroom_load_shedding_actions_total{action=\"tighten_rate_limit\"} 1.0");
  }
}
