package io.chatroom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small JSON-over-HTTP client for tests. */
public final class Http {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;

  Http(int port) {
    this.port = port;
  }

  public record Response(int status, JsonNode body) {}

  /** A registered user's name and token. */
  public record Account(String username, String token) {}

  /** A response read as text, with its headers. */
  public record TextResponse(int status, java.net.http.HttpHeaders headers, String body) {}

  public TextResponse getText(String path, String token) {
    try {
      HttpResponse<String> r = CLIENT.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
      return new TextResponse(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Response get(String path, String token) {
    return send(request(path, token).GET());
  }

  public Response delete(String path, String token) {
    return send(request(path, token).DELETE());
  }

  public Response post(String path, String token, Object body) {
    return postRaw(path, token, write(body));
  }

  public Response postRaw(String path, String token, String body) {
    return send(request(path, token).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json"));
  }

  /** Registers {@code username} with a fixed test password and returns its token. */
  public Account register(String username) {
    Response r = post("/api/auth/register", null, Map.of("username", username, "password", "password-" + username));
    if (r.status() != 201) {
      throw new AssertionError("register " + username + " failed: " + r);
    }
    return new Account(username, r.body().get("token").asText());
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static Response send(HttpRequest.Builder builder) {
    try {
      HttpResponse<String> r = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
      return new Response(r.statusCode(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String write(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
