package io.chatroom.bench;

import io.chatroom.cluster.Processes;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

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
    if (!Processes.awaitOk(HTTP, health, process, timeout)) {
      stop(process, Duration.ofSeconds(5));
      throw new IllegalStateException(what + " did not become ready; see " + log + ":\n" + tail(log));
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  static void stop(Process process, Duration grace) {
    try {
      Processes.terminate(process, grace);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String tail(Path log) {
    return Processes.tail(log, 20);
  }
}
