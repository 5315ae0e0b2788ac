package io.chatroom.cli;

import io.chatroom.ChatServer;
import io.chatroom.ConfigReload;
import io.chatroom.config.Config;
import io.chatroom.config.ConfigFile;
import io.chatroom.observability.Logging;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chatroom serve}: runs a node until SIGTERM or Ctrl-C; SIGHUP reloads its configuration ({@link ConfigReload}). */
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
    Config.Flags flags = new Config.Flags(host, port, store.dataDir, store.databaseUrl);
    Map<String, String> env = ConfigFile.over(System.getenv());
    Config config = Config.load(flags, env);
    var obs = config.observability();
    Logging.configure(new Logging.Settings(obs.jsonLogs() ? Logging.Format.JSON : Logging.Format.TEXT,
        config.logLevel(), obs.logDir(), obs.logRetentionDays()));
    ChatServer server = ChatServer.start(config, null);
    ConfigReload reload = new ConfigReload(server, env, settings -> Config.load(flags, settings));
    Hangup.onHangup(() -> reload.reload(System.getenv()));
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
