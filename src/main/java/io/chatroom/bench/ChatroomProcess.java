package io.chatroom.bench;

import io.chatroom.account.TokenService;
import io.chatroom.account.User;
import io.chatroom.cluster.LocalCluster;
import io.chatroom.config.DatabaseUrl;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * chatroom started by the bench as its own JVM on a loopback port, with a fresh data directory (or the given
 * PostgreSQL database), pinned to the server's core. Its bench users are written straight into the store before
 * it starts, with a password hash no login can match, and their tokens are signed with the secret the server is
 * given: creating 20,000 accounts through the API would spend minutes in bcrypt and measure nothing.
 */
public final class ChatroomProcess implements ServerUnderTest {
  private static final Pattern HEAP_USED = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)$");

  private final Process process;
  private final int port;
  private final List<Identity> identities;
  private final Path log;
  private final String description;

  /** How to start it. {@code databaseUrl} null means embedded SQLite in {@code dir}. */
  public record Settings(Path dir, String databaseUrl, int users, String heap, List<String> jvmOptions, CorePinning pinning,
      boolean profile) {}

  /** The garbage collector the bench runs chatroom with unless told otherwise (see docs/performance.md). */
  public static final String DEFAULT_JVM_OPTIONS = "-XX:+UseSerialGC -XX:MaxTenuringThreshold=1";

  private ChatroomProcess(Process process, int port, List<Identity> identities, Path log, String description) {
    this.process = process;
    this.port = port;
    this.identities = identities;
    this.log = log;
    this.description = description;
  }

  public static ChatroomProcess start(Settings settings) throws IOException, InterruptedException {
    Path dataDir = Files.createDirectories(settings.dir().resolve("chatroom-data"));
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    String prefix = "b" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    List<Identity> identities = seedUsers(DatabaseUrl.parse(settings.databaseUrl(), dataDir), prefix, settings.users(),
        new TokenService(secret));
    int port = LocalCluster.freePort();
    List<String> command = new ArrayList<>(settings.pinning().serverPrefix());
    command.addAll(List.of(LocalCluster.javaBinary(), "-Xms" + settings.heap(), "-Xmx" + settings.heap()));
    command.addAll(settings.jvmOptions());
    if (settings.profile()) {
      command.add("-XX:StartFlightRecording=filename=" + settings.dir().resolve("server.jfr") + ",settings=profile,dumponexit=true");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.chatroom.Main", "serve", "--host", "127.0.0.1", "--port",
        Integer.toString(port), "--data-dir", dataDir.toString()));
    Path log = settings.dir().resolve("chatroom-server.log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("JWT_SECRET", secret);
    // The bench measures capacity, not the per-connection limits that protect a public server.
    env.put("CHATROOM_WS_RATE", "1000000");
    env.put("CHATROOM_WS_BURST", "1000000");
    env.put("CHATROOM_MAX_CONNECTIONS", "1000000");
    // Load shedding reads the machine's CPU, which the load generator shares.
    env.put("SHED_CPU_PERCENT", "100");
    env.put("SHED_MEMORY_PERCENT", "100");
    env.put("LOG_LEVEL", "WARN");
    env.put("LOG_FORMAT", "text");
    if (settings.databaseUrl() != null) {
      env.put("DATABASE_URL", settings.databaseUrl());
    } else {
      env.remove("DATABASE_URL");
    }
    env.remove("REDIS_URL");
    env.remove("CHATROOM_CONFIG_FILE");
    Process process = builder.start();
    ChatroomProcess server = new ChatroomProcess(process, port, identities, log,
        "chatroom, JVM -Xmx" + settings.heap() + " " + String.join(" ", settings.jvmOptions()) + ", " + (settings.databaseUrl() == null ? "embedded SQLite" : "PostgreSQL")
            + ", " + settings.pinning().description());
    ServerProcesses.awaitHealthy(process, URI.create("http://127.0.0.1:" + port + "/health/ready"), Duration.ofSeconds(60),
        "the chatroom server", log);
    return server;
  }

  private static List<Identity> seedUsers(DatabaseUrl url, String prefix, int count, TokenService tokens) {
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, url, null)) {
      return db.inTransaction(connection -> {
        long now = System.currentTimeMillis();
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO users (username, username_key, password_hash, created_at) VALUES (?, ?, '!', ?)")) {
          for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            insert.setString(1, name);
            insert.setString(2, name);
            insert.setLong(3, now);
            insert.addBatch();
            if (i % 1000 == 999) {
              insert.executeBatch();
            }
          }
          insert.executeBatch();
        }
        Identity[] identities = new Identity[count];
        try (PreparedStatement select = connection.prepareStatement("SELECT id, username FROM users WHERE username LIKE ?")) {
          select.setString(1, prefix + "-%");
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              String name = rows.getString(2);
              int index = Integer.parseInt(name.substring(prefix.length() + 1));
              identities[index] = new Identity(name, tokens.issue(new User(rows.getLong(1), name)));
            }
          }
        }
        return List.of(identities);
      });
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the bench users in " + url.display() + ": " + e.getMessage(), e);
    } finally {
      vertx.close();
    }
  }

  @Override
  public String name() {
    return "chatroom";
  }

  @Override
  public URI webSocketBase() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  @Override
  public Dialect dialect() {
    return new ChatroomDialect();
  }

  @Override
  public Identity identity(int client) {
    return identities.get(client);
  }

  @Override
  public Optional<ProcessProbe> probe() {
    return Optional.of(new ProcessProbe(process.pid()));
  }

  @Override
  public boolean collectGarbage() {
    try {
      Process gc = new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.run").redirectErrorStream(true)
          .redirectOutput(Redirect.DISCARD).start();
      if (!gc.waitFor(30, TimeUnit.SECONDS)) {
        gc.destroyForcibly();
        return false;
      }
      return gc.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public OptionalLong heapAfterGc() {
    if (!collectGarbage()) {
      return OptionalLong.empty();
    }
    try {
      String metrics = ServerProcesses.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = HEAP_USED.matcher(metrics);
      double used = 0;
      boolean found = false;
      while (m.find()) {
        used += Double.parseDouble(m.group(1));
        found = true;
      }
      return found ? OptionalLong.of((long) used) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    ServerProcesses.stop(process, Duration.ofSeconds(30));
  }
}
