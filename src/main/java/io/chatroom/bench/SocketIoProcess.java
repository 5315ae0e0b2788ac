package io.chatroom.bench;

import io.chatroom.cluster.Executables;
import io.chatroom.cluster.LocalCluster;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The reference Socket.IO 4.8.4 server from {@code bench/peers/socketio}, run with Node on a loopback port and
 * pinned like chatroom. Its npm packages are installed on first use (only the exact versions in its lock file).
 */
public final class SocketIoProcess implements ServerUnderTest {

  private final Process process;
  private final int port;
  private final String description;

  private SocketIoProcess(Process process, int port, String description) {
    this.process = process;
    this.port = port;
    this.description = description;
  }

  /** Starts the peer in {@code peerDir}, logging to {@code dir}. */
  public static SocketIoProcess start(Path peerDir, Path dir, CorePinning pinning) throws IOException, InterruptedException {
    install(peerDir, dir);
    int port = LocalCluster.freePort();
    List<String> command = new ArrayList<>(pinning.serverPrefix());
    command.addAll(List.of("node", "server.js"));
    Path log = dir.resolve("socketio-server.log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(peerDir.toFile()).redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(log.toFile()));
    builder.environment().put("PORT", Integer.toString(port));
    builder.environment().put("NODE_ENV", "production");
    Process process = builder.start();
    SocketIoProcess server = new SocketIoProcess(process, port, "Socket.IO 4.8.4 on Node " + nodeVersion() + ", in memory, "
        + pinning.description());
    ServerProcesses.awaitHealthy(process, URI.create("http://127.0.0.1:" + port + "/health"), Duration.ofSeconds(30),
        "the Socket.IO server", log);
    return server;
  }

  /** Runs {@code npm ci} (or {@code npm install} without a lock file) when node_modules is missing. */
  static void install(Path peerDir, Path dir) throws IOException, InterruptedException {
    if (!Files.isRegularFile(peerDir.resolve("server.js"))) {
      throw new IllegalStateException("no Socket.IO peer at " + peerDir.toAbsolutePath()
          + "; run the bench from the project directory or pass --socketio-dir");
    }
    if (Files.isDirectory(peerDir.resolve("node_modules/socket.io"))) {
      return;
    }
    if (!Executables.onPath("npm") || !Executables.onPath("node")) {
      throw new IllegalStateException("the Socket.IO comparison needs Node.js and npm (apt-get install nodejs npm)");
    }
    String verb = Files.exists(peerDir.resolve("package-lock.json")) ? "ci" : "install";
    Path log = dir.resolve("npm-install.log");
    Process npm = new ProcessBuilder("npm", verb, "--no-audit", "--no-fund").directory(peerDir.toFile()).redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(log.toFile())).start();
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      npm.destroyForcibly();
      throw new IllegalStateException("npm " + verb + " failed in " + peerDir + "; see " + log + ":\n" + ServerProcesses.tail(log));
    }
  }

  static String nodeVersion() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String version = new String(node.getInputStream().readAllBytes()).trim();
      node.waitFor(5, TimeUnit.SECONDS);
      return version;
    } catch (IOException e) {
      return "(no node)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(no node)";
    }
  }

  @Override
  public String name() {
    return "socketio";
  }

  @Override
  public URI webSocketBase() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  @Override
  public Dialect dialect() {
    return new SocketIoDialect();
  }

  @Override
  public Identity identity(int client) {
    return new Identity("u" + client, "");
  }

  @Override
  public Optional<ProcessProbe> probe() {
    return Optional.of(new ProcessProbe(process.pid()));
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    ServerProcesses.stop(process, Duration.ofSeconds(10));
  }
}
