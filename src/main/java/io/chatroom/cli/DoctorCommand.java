package io.chatroom.cli;

import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import io.chatroom.config.DatabaseUrl;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom doctor}: checks what a node needs, as {@code serve} would be configured with the same flags
 * and environment, and prints each check as OK, WARN or FAIL with the fix for every problem. Exit 0 when
 * nothing failed, 1 otherwise. It changes nothing: no migration, no file but the data dir's write probe.
 */
@picocli.CommandLine.Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check configuration, database, Redis, disk, open-file limit and port; print the fix for each problem.")
public final class DoctorCommand implements Callable<Integer> {
  static final long GIB = 1024L * 1024 * 1024;
  /** Below this the node's own disk check reports DOWN (ChatServer.DISK_LOW_BYTES): a failure, not a warning. */
  static final long DEFAULT_MIN_FREE_BYTES = 100L * 1024 * 1024;
  /** One descriptor per WebSocket: under this a node cannot carry CHATROOM_MAX_CONNECTIONS' default and more. */
  static final long MIN_OPEN_FILES = 65_536;
  private static final Pattern OPEN_FILES = Pattern.compile("(?m)^Max open files\\s+(\\S+)\\s+(\\S+)");

  @Option(names = "--host", description = "Address serve would listen on (env CHATROOM_HOST, default 0.0.0.0)")
  String host;

  @Option(names = "--port", description = "Port serve would listen on (env CHATROOM_PORT, default 8888)")
  String port;

  @Mixin
  StoreOptions store;

  @Option(names = "--min-free-bytes", defaultValue = "" + DEFAULT_MIN_FREE_BYTES,
      description = "Fail when the data dir's disk has less free space than this (default 100 MiB)")
  long minFreeBytes;

  @Spec
  CommandSpec spec;

  /** The environment serve would see; tests give their own. */
  Map<String, String> env = System.getenv();
  /** Where this process's resource limits are; tests give their own. */
  Path limits = Path.of("/proc/self/limits");

  enum Status { OK, WARN, FAIL }

  /** One check's verdict; {@code fix} is null when there is nothing to do. */
  record Finding(Status status, String check, String what, String fix) {}

  @Override
  public Integer call() {
    List<Finding> findings = new ArrayList<>();
    Config config = null;
    try {
      config = Config.load(new Config.Flags(host, port, store.dataDir, store.databaseUrl), env);
      findings.add(new Finding(Status.OK, "configuration", "loads: " + config.database().display() + ", port " + config.port()
          + (config.redisUrl() == null ? ", no Redis" : ", Redis " + config.redisDisplay()), null));
    } catch (ConfigException e) {
      findings.add(new Finding(Status.FAIL, "configuration", e.getMessage(),
          "change the setting named above (README, Configuration); the other checks need a configuration that loads"));
    }
    if (config != null) {
      findings.add(database(config.database()));
      findings.add(redis(config));
      findings.add(disk(config.dataDir()));
      findings.add(port(config.host(), config.port()));
    }
    findings.add(openFiles());
    PrintWriter out = spec.commandLine().getOut();
    for (Finding f : findings) {
      out.printf("%-4s  %-13s  %s%n", f.status(), f.check(), f.what());
      if (f.fix() != null) {
        out.printf("%-4s  %-13s  fix: %s%n", "", "", f.fix());
      }
    }
    long failed = findings.stream().filter(f -> f.status() == Status.FAIL).count();
    long warned = findings.stream().filter(f -> f.status() == Status.WARN).count();
    out.println(failed > 0 ? failed + " check(s) failed" : warned > 0 ? "no failures, " + warned + " warning(s)" : "all checks passed");
    out.flush();
    return failed > 0 ? 1 : 0;
  }

  static Finding database(DatabaseUrl url) {
    String check = "database";
    if (url.kind() == DatabaseUrl.Kind.SQLITE) {
      Path file = Path.of(url.jdbcUrl().substring("jdbc:sqlite:".length()));
      if (!Files.exists(file)) {
        return new Finding(Status.WARN, check, "no database yet at " + file, "run chatroom migrate to create it (serve also does at start)");
      }
    }
    Database.SchemaStatus schema;
    try {
      schema = Database.inspect(url, null);
    } catch (ConfigException e) {
      return new Finding(Status.FAIL, check, e.getMessage(),
          "start the database, or point DATABASE_URL (--database-url) at one that runs; the nodes cannot start without it");
    }
    if (schema.current() == null) {
      return new Finding(Status.WARN, check, "answers, but has no schema yet (this jar's latest is " + schema.latest() + ")",
          "run chatroom migrate (serve also migrates at start)");
    }
    if (schema.pending() > 0) {
      return new Finding(Status.WARN, check, "answers; schema at version " + schema.current() + ", this jar's latest is "
          + schema.latest() + " (" + schema.pending() + " pending)", "run chatroom migrate before starting the new version's nodes");
    }
    if (schema.ahead()) {
      return new Finding(Status.WARN, check, "answers; schema at version " + schema.current() + ", newer than this jar's "
          + schema.latest(), "a newer version migrated it: run that version's jar");
    }
    return new Finding(Status.OK, check, "answers; schema at version " + schema.current() + " (this jar's latest)", null);
  }

  static Finding redis(Config config) {
    if (config.redisUrl() == null) {
      return new Finding(Status.OK, "redis", "not used (REDIS_URL unset: a single node)", null);
    }
    Vertx vertx = Vertx.vertx();
    try {
      Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl()));
      client.send(Request.cmd(Command.PING)).toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
      return new Finding(Status.OK, "redis", "answers at " + config.redisDisplay(), null);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Finding(Status.FAIL, "redis", "does not answer at " + config.redisDisplay() + " (" + cause + ")",
          "start Redis or correct REDIS_URL; unset it only for a single node");
    } finally {
      vertx.close();
    }
  }

  Finding disk(Path dataDir) {
    String check = "disk";
    try {
      FileStore fs = Files.getFileStore(dataDir);
      long free = fs.getUsableSpace();
      long total = fs.getTotalSpace();
      double percent = total > 0 ? 100.0 * free / total : 100;
      String what = String.format("%s free of %s (%.1f %%) at %s", bytes(free), bytes(total), percent, dataDir);
      String fix = "free space on " + fs + " (old logs, backups, container images) or grow the volume; below "
          + bytes(DEFAULT_MIN_FREE_BYTES) + " the node's health turns DOWN and the database cannot write";
      if (free < minFreeBytes || percent < 2) {
        return new Finding(Status.FAIL, check, what + (free < minFreeBytes ? ", under the required " + bytes(minFreeBytes) : ""), fix);
      }
      if (free < GIB || percent < 10) {
        return new Finding(Status.WARN, check, what, fix);
      }
      return new Finding(Status.OK, check, what, null);
    } catch (IOException e) {
      return new Finding(Status.FAIL, check, "cannot read the free space of " + dataDir + " (" + e.getMessage() + ")",
          "check that the data dir exists and is readable");
    }
  }

  Finding openFiles() {
    String check = "open files";
    String text;
    try {
      text = Files.readString(limits);
    } catch (IOException e) {
      return new Finding(Status.WARN, check, "cannot read " + limits + " (not Linux?)", "check the limit with ulimit -n where the node runs");
    }
    Matcher m = OPEN_FILES.matcher(text);
    if (!m.find()) {
      return new Finding(Status.WARN, check, limits + " names no open-file limit", "check the limit with ulimit -n where the node runs");
    }
    String soft = m.group(1);
    if (soft.equals("unlimited") || Long.parseLong(soft) >= MIN_OPEN_FILES) {
      return new Finding(Status.OK, check, "limit " + soft, null);
    }
    return new Finding(Status.WARN, check, "limit " + soft + " (hard " + m.group(2) + "): each WebSocket takes one, so a node stops near "
        + soft + " users with 'Too many open files'",
        "raise it to 65536 or more where the node runs: LimitNOFILE=1048576 in the systemd unit, ulimits: nofile in compose,"
            + " ulimit -n 65536 in the shell (this check sees the limit of the shell it runs in)");
  }

  static Finding port(String host, int port) {
    String check = "port";
    if (port == 0) {
      return new Finding(Status.OK, check, "0: a random free port is chosen at start", null);
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // as the server binds: connections closing on a stopped node do not block it
      socket.bind(new InetSocketAddress(host, port));
      return new Finding(Status.OK, check, host + ":" + port + " is free", null);
    } catch (BindException inUse) {
      String node = nodeHealth(host, port);
      if (node != null) {
        return new Finding(Status.OK, check, host + ":" + port + " is served by a running chatroom node (" + node + ")", null);
      }
      return new Finding(Status.FAIL, check, host + ":" + port + " is in use by another program (" + inUse.getMessage() + ")",
          "stop that program (ss -ltnp 'sport = :" + port + "' shows it) or choose another port with --port / CHATROOM_PORT");
    } catch (IOException | IllegalArgumentException e) {
      return new Finding(Status.FAIL, check, "cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")",
          "use an address of this machine and a port above 1023 (or grant CAP_NET_BIND_SERVICE)");
    }
  }

  /** The status a chatroom node reports at host:port/health, or null when what listens there is no node. */
  private static String nodeHealth(String host, int port) {
    String target = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + hostPart(target) + ":" + port + "/health"))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
      Matcher status = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z_]+)\"").matcher(r.body());
      return r.statusCode() == 200 && r.body().contains("\"checks\"") && status.find() ? "health " + status.group(1) : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String hostPart(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  static String bytes(long n) {
    if (n >= GIB) {
      return String.format("%.1f GiB", n / (double) GIB);
    }
    return String.format("%.1f MiB", n / (1024.0 * 1024));
  }
}
