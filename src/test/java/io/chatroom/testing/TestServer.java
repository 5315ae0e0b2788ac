package io.chatroom.testing;

import io.chatroom.ChatServer;
import io.chatroom.config.Config;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real chat node on a random loopback port, restartable on the same store. */
public final class TestServer implements AutoCloseable {
  private final Config config;
  private final TestDatabases.Isolated database;
  private ChatServer server;

  private TestServer(Config config, TestDatabases.Isolated database) {
    this.config = config;
    this.database = database;
    this.server = ChatServer.start(config, database.schema());
  }

  /** Starts a node; {@code env} overrides settings such as CHATROOM_WS_RATE. */
  public static TestServer start(Path dataDir, TestDatabases.Isolated database, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("JWT_SECRET", "test-secret-that-is-at-least-32-characters-long");
    // tests send as fast as the server acks; the rate limit has its own tests that set these lower
    all.putIfAbsent("CHATROOM_WS_RATE", "100000");
    all.putIfAbsent("CHATROOM_WS_BURST", "100000");
    Config config = Config.load(new Config.Flags("127.0.0.1", "0", dataDir.toString(), null), all)
        .withDatabase(database.url());
    return new TestServer(config, database);
  }

  public static TestServer start(Path dataDir, TestDatabases.Isolated database) {
    return start(dataDir, database, Map.of());
  }

  public int port() {
    return server.port();
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
    server = ChatServer.start(config, database.schema());
  }

  @Override
  public void close() {
    server.close();
  }
}
