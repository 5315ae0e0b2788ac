package io.chatroom.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the server processes the bench measures, whatever they run. */
final class ServerProcesses {
  /**
   * HTTP/1.1 only: Java's client otherwise offers an h2c upgrade, and engine.io takes any request with an
   * {@code Upgrade} header for itself, so the Socket.IO peer's health check would never answer.
   */
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private ServerProcesses() {}

  static HttpClient http() {
    return HTTP;
  }

  /** Waits until {@code health} answers 200; stops the process and explains, with its log, when it does not. */
  static void awaitHealthy(Process process, URI health, Duration timeout, String what, Path log) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        stop(process, Duration.ofSeconds(5));
        throw new IllegalStateException(what + " did not become ready; see " + log + ":\n" + tail(log));
      }
      Thread.sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  static void stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ")";
    }
  }
}
