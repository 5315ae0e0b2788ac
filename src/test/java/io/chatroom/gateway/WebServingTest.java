package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Handshake;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web client's files, the headers that keep it safe, and who may open a WebSocket from a browser. */
class WebServingTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;
  TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start(Map<String, String> env) {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), env);
    return server;
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    headers.forEach(b::header);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageAndItsModulesAreServedWithEtagsAndAStrictPolicy() throws Exception {
    start(Map.of());
    HttpResponse<String> page = get("/", Map.of());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/js/main.js\"></script>").doesNotContain("<script>");
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");

    String etag = page.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = get("/", Map.of("If-None-Match", etag));
    assertThat(again.statusCode()).as("unchanged: revalidated without a body").isEqualTo(304);
    assertThat(again.body()).isEmpty();

    for (String module : List.of("/js/main.js", "/js/connection.js", "/js/api.js", "/js/store.js", "/js/view.js", "/js/format.js")) {
      HttpResponse<String> js = get(module, Map.of());
      assertThat(js.statusCode()).as(module).isEqualTo(200);
      assertThat(js.headers().firstValue("Content-Type")).as(module).hasValue("text/javascript; charset=utf-8");
    }
    assertThat(get("/app.css", Map.of()).headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
    assertThat(get("/js/nothing.js", Map.of()).statusCode()).isEqualTo(404);
    assertThat(get("/api/nothing", Map.of()).statusCode()).as("API paths never fall back to files").isEqualTo(404);
  }

  @Test
  void aBrowserMayOpenTheWebSocketOnlyFromThisHostByDefault() {
    start(Map.of());
    int port = server.port();
    assertThat(Handshake.upgrade(port, Map.of()).switched()).as("no Origin: not a browser").isTrue();
    assertThat(Handshake.upgrade(port, Map.of("Origin", "http://127.0.0.1:" + port)).switched()).isTrue();
    Handshake.Answer foreign = Handshake.upgrade(port, Map.of("Origin", "https://evil.example"));
    assertThat(foreign.status()).contains(" 403 ");
    assertThat(foreign.body()).contains("\"code\":\"forbidden\"", "CHATROOM_ALLOWED_ORIGINS");
    assertThat(Handshake.upgrade(port, Map.of("Origin", "http://127.0.0.1:" + (port + 1))).status())
        .as("another port is another origin").contains(" 403 ");
  }

  @Test
  void anAllowlistReplacesTheSameHostRule() {
    start(Map.of("CHATROOM_ALLOWED_ORIGINS", "https://chat.example.com, http://localhost:3000"));
    int port = server.port();
    assertThat(Handshake.upgrade(port, Map.of("Origin", "https://chat.example.com")).switched()).isTrue();
    assertThat(Handshake.upgrade(port, Map.of("Origin", "http://LOCALHOST:3000")).switched()).isTrue();
    assertThat(Handshake.upgrade(port, Map.of("Origin", "http://127.0.0.1:" + port)).status()).contains(" 403 ");
  }

  @Test
  void theRoomListingSaysWhatTheCallerBelongsToAndWhoADirectMessageIsWith() {
    Http http = start(Map.of()).http();
    Http.Account alice = http.register("alice");
    http.register("bob");
    assertThat(http.post("/api/rooms", alice.token(), Map.of("name", "alices")).status()).isEqualTo(201);
    JsonNode dm = http.post("/api/dm", alice.token(), Map.of("username", "bob")).body().path("room");
    assertThat(dm.path("peer").asText()).isEqualTo("bob");

    Http.Account carol = http.register("carol");
    Map<String, JsonNode> carols = new HashMap<>();
    http.get("/api/rooms", carol.token()).body().path("rooms").forEach(r -> carols.put(r.path("name").asText(), r));
    assertThat(carols.get("alices").path("member").asBoolean()).isFalse();
    assertThat(carols).doesNotContainKey(dm.path("name").asText());

    Map<String, JsonNode> alices = new HashMap<>();
    http.get("/api/rooms", alice.token()).body().path("rooms").forEach(r -> alices.put(r.path("name").asText(), r));
    assertThat(alices.get("alices").path("member").asBoolean()).isTrue();
    assertThat(alices.get(dm.path("name").asText()).path("peer").asText()).isEqualTo("bob");
    assertThat(alices.get("alices").has("peer")).isFalse();
  }
}
