package io.chatroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.cluster.NginxFront;
import io.chatroom.loadgen.Loopback;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/nginx/ (upstream.conf and chatroom.conf) as shipped passes {@code nginx -t}, and a copy moved to loopback ports in front
 * of a real node redirects HTTP to HTTPS, serves the client with HSTS, and carries a chat over wss.
 * Needs nginx and openssl (Debian packages, installed by .ci/run); skipped with a notice without them,
 * except under CI=true.
 */
class NginxConfigTest {
  private static final Path SHIPPED = NginxFront.SHIPPED;

  @TempDir
  Path dir;
  NginxFront front;
  TestServer server;

  @BeforeEach
  void needTools() {
    for (String tool : List.of("/usr/sbin/nginx", "/usr/bin/openssl")) {
      if (!Files.isExecutable(Path.of(tool))) {
        String notice = tool + " is missing (Debian packages nginx, openssl)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          throw new IllegalStateException(notice + ": CI=true requires it (.ci/run installs it)");
        }
        System.err.println("NOTICE: skipping nginx test: " + notice);
        assumeTrue(false, notice);
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (front != null) {
      front.stop();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theShippedConfigurationPassesNginxTest() throws Exception {
    NginxFront shipped = NginxFront.prepare(SHIPPED, dir, 0, 0, List.of());
    assertThat(shipped.test()).as("nginx -t output").isNull();
  }

  @Test
  void inFrontOfANodeItRedirectsToHttpsAndCarriesTheChatOverWss() throws Exception {
    server = TestServer.start(dir, TestDatabases.create(TestDatabases.Kind.SQLITE, dir));
    front = NginxFront.prepare(SHIPPED, dir, freePort(), freePort(), List.of(server.port()));
    front.start(Duration.ofSeconds(10));
    int http = front.httpPort();
    int https = front.httpsPort();
    HttpClient client = Loopback.httpClient();
    HttpResponse<String> redirect = retry(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/")).build(),
        HttpResponse.BodyHandlers.ofString()));
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("https://127.0.0.1"));

    HttpResponse<String> page = retry(() -> client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https + "/")).build(),
        HttpResponse.BodyHandlers.ofString()));
    assertThat(page.statusCode()).as(front.errorLog()).isEqualTo(200);
    assertThat(page.body()).contains("/js/main.js");
    assertThat(page.headers().firstValue("Strict-Transport-Security")).isPresent();
    assertThat(page.headers().firstValue("Content-Security-Policy")).as("the node's own headers pass through").isPresent();
    assertThat(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

    Http.Account alice = server.http().register("alice");
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    // as a browser would: an Origin that must match the Host nginx passes on
    WebSocket ws = client.newWebSocketBuilder().header("Origin", "https://127.0.0.1:" + https).buildAsync(URI.create("wss://127.0.0.1:" + https + "/ws"), new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          frames.add(partial.toString());
          partial.setLength(0);
        }
        webSocket.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    ObjectMapper json = new ObjectMapper();
    ws.sendText("{\"type\":\"hello\",\"token\":\"" + alice.token() + "\"}", true).get(5, TimeUnit.SECONDS);
    assertThat(json.readTree(frames.poll(10, TimeUnit.SECONDS)).path("type").asText()).isEqualTo("welcome");
    ws.sendText("{\"type\":\"join\",\"id\":1,\"room\":\"general\"}", true).get(5, TimeUnit.SECONDS);
    JsonNode joined;
    do {
      joined = json.readTree(frames.poll(10, TimeUnit.SECONDS));
    } while (!joined.path("id").asText().equals("1"));
    assertThat(joined.path("type").asText()).isEqualTo("ok");
    ws.sendText("{\"type\":\"send\",\"id\":2,\"room\":\"general\",\"text\":\"through nginx\",\"clientMsgId\":\"n1\"}", true).get(5, TimeUnit.SECONDS);
    boolean echoed = false;
    for (int i = 0; i < 10 && !echoed; i++) {
      String frame = frames.poll(10, TimeUnit.SECONDS);
      JsonNode f = json.readTree(frame);
      echoed = f.path("type").asText().equals("message") && f.path("text").asText().equals("through nginx");
    }
    assertThat(echoed).isTrue();
    ws.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  /** nginx takes a moment to listen after it starts. */
  private static <T> T retry(Call<T> call) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return call.call();
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
