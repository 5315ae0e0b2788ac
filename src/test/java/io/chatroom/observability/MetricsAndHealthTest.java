package io.chatroom.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Await;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator scrapes and probes: /metrics with the contracted names, /health and /health/ready. */
class MetricsAndHealthTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Http http;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir));
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The value of the sample {@code name{labels}} in an exposition, or NaN when absent. */
  static double sample(String exposition, String name, String labels) {
    Pattern p = Pattern.compile("^" + Pattern.quote(name) + (labels == null ? "" : "\\{" + labels + "\\}") + " (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(exposition);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private String scrape() {
    Http.TextResponse r = http.getText("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return r.body();
  }

  @Test
  void chatTrafficShowsUpUnderTheContractedNames() throws Exception {
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    try (WsClient a = WsClient.connect(server.port(), alice.token()); WsClient b = WsClient.connect(server.port(), bob.token())) {
      a.join("general");
      b.join("general");
      for (int i = 0; i < 3; i++) {
        a.send("general", "hello " + i, "m" + i);
      }
      b.messages("general", 3);
      assertThat(http.get("/api/rooms/general/messages?limit=2", alice.token()).status()).isEqualTo(200);
      assertThat(http.get("/api/rooms/general/messages", null).status()).isEqualTo(401);
      assertThat(http.get("/no/such/thing", null).status()).isEqualTo(404);

      // 3 messages to 2 subscribers, plus presence: alice's "online" to alice, bob's to both; each loop writes on its own time
      Await.until(() -> sample(scrape(), "chatroom_fanout_deliveries_total", null) == 9);
      String live = scrape();
      assertThat(sample(live, "chatroom_websocket_connections_active", null)).isEqualTo(2);
      assertThat(sample(live, "chatroom_users_online", null)).isEqualTo(2);
      assertThat(sample(live, "chatroom_messages_total", null)).isEqualTo(3);
      assertThat(sample(live, "chatroom_websocket_connections_total", null)).isEqualTo(2);
      assertThat(sample(live, "chatroom_websocket_frames_received_total", null)).as("2 hello + 2 join + 3 send").isEqualTo(7);
      assertThat(sample(live, "chatroom_websocket_frames_sent_total", null)).as("welcome, join ok, send ok, fan-out").isGreaterThanOrEqualTo(2 + 2 + 3 + 9);
      assertThat(sample(live, "chatroom_http_requests_total",
          "method=\"GET\",route=\"/api/rooms/:name/messages\",status=\"200\"")).isEqualTo(1);
      assertThat(sample(live, "chatroom_http_requests_total",
          "method=\"GET\",route=\"/api/rooms/:name/messages\",status=\"401\"")).isEqualTo(1);
      assertThat(sample(live, "chatroom_http_requests_total", "method=\"GET\",route=\"unmatched\",status=\"404\"")).isEqualTo(1);
      assertThat(sample(live, "chatroom_http_requests_total", "method=\"POST\",route=\"/api/auth/register\",status=\"201\"")).isEqualTo(2);
      assertThat(live).as("quantiles come from buckets")
          .contains("chatroom_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/rooms/:name/messages\",status=\"200\",le=\"0.1\"}");
      assertThat(live).contains("chatroom_http_request_duration_seconds_count{method=\"GET\",route=\"/ws\",status=\"101\"} 2");
      assertThat(sample(live, "chatroom_group_commit_batch_size_sum", null)).isEqualTo(3);
      assertThat(live).contains("chatroom_group_commit_duration_seconds_bucket{le=");
      assertThat(live).contains("hikaricp_connections_active{pool=\"chatroom-db\"}", "jvm_memory_used_bytes", "process_cpu_usage",
          "jvm_threads_live_threads", "chatroom_load_shedding_active 0", "chatroom_alerts_firing{severity=\"critical\"} 0");
      assertThat(live).as("no raw paths, room names or users as label values")
          .doesNotContain("/api/rooms/general", "/no/such/thing", "\"alice\"", "\"general\"");
    }
    // both sockets closed by the client: the gauge returns to zero and the reason is counted
    Await.until(() -> sample(scrape(), "chatroom_websocket_connections_active", null) == 0);
    String after = scrape();
    assertThat(sample(after, "chatroom_users_online", null)).isEqualTo(0);
    assertThat(sample(after, "chatroom_websocket_disconnections_total", "reason=\"client\"")).isEqualTo(2);
  }

  @Test
  void disconnectReasonsAreCountedByCause() {
    try (WsClient anonymous = WsClient.connect(server.port())) {
      anonymous.sendRaw("{\"type\":\"join\",\"room\":\"general\"}");
      assertThat(anonymous.awaitClose()).isEqualTo(1008);
    }
    Await.until(() -> sample(scrape(), "chatroom_websocket_disconnections_total", "reason=\"policy\"") == 1);
  }

  @Test
  void healthDetailsTheChecksAndReadinessFollowsTheLifecycle() {
    Http.Response health = http.get("/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().path("status").asText()).isEqualTo("UP");
    assertThat(health.body().path("version").asText()).isNotBlank();
    assertThat(health.body().path("checks").path("database").path("status").asText()).isEqualTo("UP");
    assertThat(health.body().path("checks").path("disk").path("free_bytes").asLong()).isPositive();
    assertThat(health.body().path("checks").has("redis")).as("no Redis configured, so no Redis check").isFalse();

    Http.Response ready = http.get("/health/ready", null);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body().path("status").asText()).isEqualTo("READY");

    server.node().health().state(Health.State.DRAINING);
    Http.Response draining = http.get("/health/ready", null);
    assertThat(draining.status()).isEqualTo(503);
    assertThat(draining.body().path("status").asText()).isEqualTo("NOT_READY");
    assertThat(draining.body().path("state").asText()).isEqualTo("DRAINING");
    assertThat(http.get("/health", null).status()).as("liveness does not fail while draining").isEqualTo(200);
  }

  @Test
  void everyResponseCarriesARequestId() {
    Http.TextResponse minted = http.getText("/health", null);
    assertThat(minted.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).hasSize(36));
  }
}
