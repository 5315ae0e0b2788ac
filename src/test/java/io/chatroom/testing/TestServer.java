package io.chatroom.testing;

import io.chatroom.ChatServer;
import io.chatroom.config.Config;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real chat node on a random loopback port, restartable on the same store. A node started with
 * {@link #startOnPort} keeps its address across {@link #stop()} and {@link #startAgain()}, so a client that
 * reconnects by itself (a browser page) finds it again.
 */
public final class TestServer implements AutoCloseable {
  private final Config config;
  private final TestDatabases.Isolated database;
  private final SpanExporter spans;
  private ChatServer server;

  private TestServer(Config config, TestDatabases.Isolated database, SpanExporter spans) {
    this.config = config;
    this.database = database;
    this.spans = spans;
    this.server = launch();
  }

  private ChatServer launch() {
    return spans == null ? ChatServer.start(config, database.schema()) : ChatServer.start(config, database.schema(), spans);
  }

  /** Starts a node; {@code env} overrides settings such as CHATROOM_WS_RATE. */
  public static TestServer start(Path dataDir, TestDatabases.Isolated database, Map<String, String> env) {
    return start(dataDir, database, env, null);
  }

  /** As {@link #start(Path, TestDatabases.Isolated, Map)}, exporting every span to {@code spans}. */
  public static TestServer start(Path dataDir, TestDatabases.Isolated database, Map<String, String> env, SpanExporter spans) {
    return new TestServer(configure(dataDir, database, env, 0), database, spans);
  }

  /**
   * As {@link #start(Path, TestDatabases.Isolated, Map)}, listening on {@code port} (e.g. from
   * {@link #freePort()}) rather than a random one; {@link #startAgain()} listens on it again.
   */
  public static TestServer startOnPort(int port, Path dataDir, TestDatabases.Isolated database, Map<String, String> env) {
    if (port <= 0) {
      throw new IllegalArgumentException("a fixed port is 1-65535, got " + port);
    }
    return new TestServer(configure(dataDir, database, env, port), database, null);
  }

  /** A loopback port that was free a moment ago, for {@link #startOnPort}. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Config configure(Path dataDir, TestDatabases.Isolated database, Map<String, String> env, int port) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("JWT_SECRET", "test-secret-that-is-at-least-32-characters-long");
    // tests send as fast as the server acks; the rate limit has its own tests that set these lower
    all.putIfAbsent("CHATROOM_WS_RATE", "100000");
    all.putIfAbsent("CHATROOM_WS_BURST", "100000");
    all.putIfAbsent("CHATROOM_API_RATE", "100000");
    all.putIfAbsent("CHATROOM_API_BURST", "100000");
    // a busy CI machine must not make unrelated tests shed load; the shedding tests set their own thresholds
    all.putIfAbsent("SHED_CPU_PERCENT", "100");
    all.putIfAbsent("SHED_MEMORY_PERCENT", "100");
    return Config.load(new Config.Flags("127.0.0.1", String.valueOf(port), dataDir.toString(), null), all)
        .withDatabase(database.url());
  }

  public static TestServer start(Path dataDir, TestDatabases.Isolated database) {
    return start(dataDir, database, Map.of());
  }

  /** The port it listens on; while {@linkplain #stop() stopped}, the fixed port (0 for a random-port node). */
  public int port() {
    return server != null ? server.port() : config.port();
  }

  /** The running node, for tests that look inside (metrics, health state). */
  public ChatServer node() {
    return server;
  }

  public Http http() {
    return new Http(port());
  }

  public WsClient connect() {
    return WsClient.connect(port());
  }

  /** Stops the node (as a crash-free shutdown would) and starts a new one on the same store. */
  public void restart() {
    stop();
    server = launch();
  }

  /**
   * Stops the node (as a crash-free shutdown would) and leaves it down until {@link #startAgain()};
   * {@link #node()} is null meanwhile. Stopping a stopped node does nothing.
   */
  public void stop() {
    if (server != null) {
      ChatServer s = server;
      server = null;
      s.close();
    }
  }

  /**
   * Starts a stopped node again on the same store: on the same port for a node from {@link #startOnPort},
   * on a new random port otherwise.
   */
  public void startAgain() {
    if (server != null) {
      throw new IllegalStateException("the node is running; stop() it first");
    }
    server = launch();
  }

  @Override
  public void close() {
    stop();
  }
}
