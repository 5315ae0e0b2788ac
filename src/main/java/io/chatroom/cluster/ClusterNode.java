package io.chatroom.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One chat node: a separate JVM running {@code chatroom serve} on a loopback port with its own data dir. */
public final class ClusterNode {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final int port;
  private final ChildProcess process;

  ClusterNode(String name, int port, List<String> launcher, Map<String, String> environment, Path dir) throws IOException {
    this.name = name;
    this.port = port;
    Path dataDir = Files.createDirectories(dir.resolve(name));
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of("serve", "--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dataDir.toString()));
    Map<String, String> env = new HashMap<>(environment);
    env.put("CHATROOM_NODE_ID", name);
    this.process = new ChildProcess(name, command, env, dir.resolve(name + ".log"));
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return process.log();
  }

  /** Starts the JVM and returns once {@code /health/ready} answers 200. */
  public void start(Duration timeout) throws IOException, InterruptedException {
    process.start();
    awaitReady(timeout);
  }

  /** SIGKILL: a crash; nothing is drained, flushed or said to clients. */
  public void kill() throws InterruptedException {
    process.kill();
  }

  /** SIGTERM: a graceful stop (drain, reconnect frames, close 1012); returns the exit code. */
  public int terminate() throws InterruptedException {
    return process.terminate(Duration.ofSeconds(30));
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    if (!process.awaitOk(HTTP, URI.create("http://127.0.0.1:" + port + "/health/ready"), timeout)) {
      throw new IllegalStateException(name + " did not become ready on port " + port + ":\n" + process.tail(30));
    }
  }
}
