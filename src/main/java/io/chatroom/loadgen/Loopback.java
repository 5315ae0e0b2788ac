package io.chatroom.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Clients for a cluster on this machine. Its nginx has a throwaway self-signed certificate, so these clients
 * trust any certificate: they are for loopback test and benchmark traffic only, never for a real server.
 */
public final class Loopback {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Loopback() {}

  public static HttpClient httpClient() {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {new TrustEverything()}, new SecureRandom());
      return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static WebSocketClient webSocketClient(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setTrustAll(true).setVerifyHost(false)
        .setConnectTimeout(5_000));
  }

  /**
   * Registers {@code username} (or logs in, if a previous attempt did register it) and returns its token,
   * retrying while the way in is busy or briefly down: nginx's 429 and 502/503, refused connections.
   */
  public static String register(HttpClient http, URI base, String username, String password) throws InterruptedException {
    String body = JSON.createObjectNode().put("username", username).put("password", password).toString();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String path = "/api/auth/register";
    long backoffMs = 100;
    while (true) {
      String outcome;
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200 || status == 201) {
          JsonNode reply = JSON.readTree(response.body());
          return reply.path("token").asText();
        }
        if (status == 409) {
          path = "/api/auth/login";
          continue;
        }
        if (status != 429 && status < 500) {
          throw new IllegalStateException(path + " for " + username + " answered " + status + ": " + response.body());
        }
        outcome = "HTTP " + status;
      } catch (IOException e) {
        outcome = e.toString();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not register " + username + " within 60 s; last: " + outcome);
      }
      Thread.sleep(backoffMs);
      backoffMs = Math.min(2_000, backoffMs * 2);
    }
  }

  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
