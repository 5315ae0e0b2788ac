package io.chatroom.cluster;

import java.net.http.HttpClient;
import java.net.URI;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One process of a local cluster, restartable, with everything it prints appended to one log file (restarts
 * included, each marked), so a failed run can be read afterwards. Stopping it sends a real signal.
 */
final class ChildProcess {
  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private Process process;

  ChildProcess(String name, List<String> command, Map<String, String> environment, Path log) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = log;
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    Files.writeString(log, "=== starting " + name + ": " + String.join(" ", command) + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException(name + " was never started");
    }
    return process.pid();
  }

  /** SIGKILL: the process gets no chance to clean up, as in a crash or an OOM kill. */
  void kill() throws InterruptedException {
    Process p = current();
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within {@code grace}; returns the exit code. */
  int terminate(Duration grace) throws InterruptedException {
    Process p = current();
    return p == null ? 0 : Processes.terminate(p, grace);
  }

  /** Waits for {@code url} to answer 200 while the process runs; false when it exits or {@code timeout} passes. */
  boolean awaitOk(HttpClient http, URI url, Duration timeout) throws InterruptedException {
    Process p = current();
    return p != null && Processes.awaitOk(http, url, p, timeout);
  }

  private synchronized Process current() {
    return process;
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  String tail(int lines) {
    return Processes.tail(log, lines);
  }
}
