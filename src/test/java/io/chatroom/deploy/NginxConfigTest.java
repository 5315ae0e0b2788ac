package io.chatroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/nginx/chatroom.conf as shipped passes {@code nginx -t}, and a copy moved to loopback ports in front
 * of a real node redirects HTTP to HTTPS, serves the client with HSTS, and carries a chat over wss.
 * Needs nginx and openssl (Debian packages, installed by .ci/run); skipped with a notice without them,
 * except under CI=true.
 */
class NginxConfigTest {
  private static final Path CONF = Path.of("deploy/nginx/chatroom.conf");

  @TempDir
  Path dir;
  Process nginx;
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
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static int run(List<String> command, Path log) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish");
    }
    return p.exitValue();
  }

  /** The shipped file with its certificate, cache and (optionally) port and upstream settings moved into the test's directory. */
  private Path prepare(int httpPort, int httpsPort, int nodePort) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    assertThat(run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
        "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"), dir.resolve("openssl.log"))).isZero();
    String site = Files.readString(CONF)
        .replace("/etc/ssl/chatroom/fullchain.pem", cert.toString())
        .replace("/etc/ssl/chatroom/privkey.pem", key.toString())
        .replace("/var/cache/nginx/chatroom", dir.resolve("cache").toString())
        .replace("/var/www/acme", dir.resolve("acme").toString());
    if (httpPort > 0) {
      site = site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
          .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
          .replace("listen 443 ssl http2;", "listen 127.0.0.1:" + httpsPort + " ssl http2;")
          .replaceAll("server 127\\.0\\.0\\.1:888[123] max_fails=3 fail_timeout=10s;\\n", "")
          .replace("least_conn;", "least_conn;\n    server 127.0.0.1:" + nodePort + " max_fails=3 fail_timeout=10s;");
    }
    Files.writeString(dir.resolve("site.conf"), site);
    Path main = dir.resolve("nginx.conf");
    Files.writeString(main, "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + ";\n"
        + "events {}\nhttp {\n  access_log off;\n  include " + dir.resolve("site.conf") + ";\n}\n");
    return main;
  }

  @Test
  void theShippedConfigurationPassesNginxTest() throws Exception {
    Path main = prepare(0, 0, 0);
    Path log = dir.resolve("nginx-t.log");
    int code = run(List.of("nginx", "-t", "-p", dir.toString(), "-c", main.toString()), log);
    assertThat(code).as(Files.readString(log)).isZero();
  }

  @Test
  void inFrontOfANodeItRedirectsToHttpsAndCarriesTheChatOverWss() throws Exception {
    server = TestServer.start(dir, TestDatabases.create(TestDatabases.Kind.SQLITE, dir));
    int http = freePort();
    int https = freePort();
    Path main = prepare(http, https, server.port());
    nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", main.toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.log").toFile()).start();
    HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> redirect = retry(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/")).build(),
        HttpResponse.BodyHandlers.ofString()));
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("https://127.0.0.1"));

    HttpResponse<String> page = retry(() -> client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https + "/")).build(),
        HttpResponse.BodyHandlers.ofString()));
    assertThat(page.statusCode()).as(Files.readString(dir.resolve("error.log"))).isEqualTo(200);
    assertThat(page.body()).contains("/js/main.js");
    assertThat(page.headers().firstValue("Strict-Transport-Security")).isPresent();
    assertThat(page.headers().firstValue("Content-Security-Policy")).as("the node's own headers pass through").isPresent();
    assertThat(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

    Http.Account alice = server.http().register("alice");
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + https + "/ws"), new WebSocket.Listener() {
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

  /** The test's certificate is self-signed; trust it for this loopback check only. */
  private static SSLContext trustAll() throws Exception {
    TrustManager trust = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trust}, new SecureRandom());
    return context;
  }
}
