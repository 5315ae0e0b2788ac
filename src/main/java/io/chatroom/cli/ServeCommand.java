package io.chatroom.cli;

import io.chatroom.ChatServer;
import io.chatroom.config.Config;
import io.chatroom.observability.Logging;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chatroom serve}: runs a node until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the chat server (flags override environment variables, which override defaults).")
public final class ServeCommand implements Runnable {
  @Option(names = "--host", description = "Address to listen on (env CHATROOM_HOST, default 0.0.0.0)")
  String host;

  @Option(names = "--port", description = "Port to listen on (env CHATROOM_PORT, default 8888)")
  String port;

  @Mixin
  StoreOptions store;

  @Override
  public void run() {
    Config config = Config.load(new Config.Flags(host, port, store.dataDir, store.databaseUrl), System.getenv());
    var obs = config.observability();
    Logging.configure(new Logging.Settings(obs.jsonLogs() ? Logging.Format.JSON : Logging.Format.TEXT,
        config.logLevel(), obs.logDir(), obs.logRetentionDays()));
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
