package io.chatroom.cli;

import io.chatroom.ChatServer;
import io.chatroom.config.Config;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chatroom serve}: runs a node until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the chat server (flags override environment variables, which override defaults).")
public final class ServeCommand implements Runnable {
  @Option(names = "--host", description = "Address to listen on (env CHATROOM_HOST, default 0.0.0.0)")
  String host;

  @Option(names = "--port", description = "Port to listen on (env CHATROOM_PORT, default 8888)")
  String port;

  @Option(names = "--data-dir", description = "Directory for the SQLite database and secrets (env CHATROOM_DATA_DIR, default ./data)")
  String dataDir;

  @Option(names = "--database-url", description = "postgresql://user:pass@host:5432/db (env DATABASE_URL, default embedded SQLite)")
  String databaseUrl;

  @Override
  public void run() {
    Config config = Config.load(new Config.Flags(host, port, dataDir, databaseUrl), System.getenv());
    ChatServer server = ChatServer.start(config, null);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "chatroom-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
