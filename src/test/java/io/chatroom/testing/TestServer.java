package io.chatroom.testing;

import io.chatroom.ChatServer;
import io.chatroom.config.Config;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real chat node on a random loopback port, restartable on the same store. */
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
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("JWT_SECRET", "test-secret-that-is-at-least-32-characters-long");
    // tests send as fast as the server acks; the rate limit has its own tests that set these lower
    all.putIfAbsent("CHATROOM_WS_RATE", "100000");
    all.putIfAbsent("CHATROOM_WS_BURST", "100000");
    // a busy CI machine must not make unrelated tests shed load; the shedding tests set their own thresholds
    all.putIfAbsent("SHED_CPU_PERCENT", "100");
    all.putIfAbsent("SHED_MEMORY_PERCENT", "100");
    Config config = Config.load(new Config.Flags("127.0.0.1", "0", dataDir.toString(), null), all)
        .withDatabase(database.url());
    return new TestServer(config, database, spans);
  }

  public static TestServer start(Path dataDir, TestDatabases.Isolated database) {
    return start(dataDir, database, Map.of());
  }

  public int port() {
    return server.port();
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
    server.close();
    server = launch();
  }

  @Override
  public void close() {
    server.close();
  }
}
