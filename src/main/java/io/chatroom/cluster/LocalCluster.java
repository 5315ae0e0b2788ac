package io.chatroom.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole deployment on one machine, as real processes on loopback: a private Redis, N chat nodes (separate
 * JVMs) sharing a PostgreSQL database and that Redis, and nginx in front with the shipped configuration.
 * PostgreSQL is the machine's own server; the caller provides the database. Crash tests and the benchmark
 * start it the same way and then break pieces of it: {@link ClusterNode#kill}, {@link ClusterNode#terminate},
 * {@link RedisServer#restart}.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final RedisServer redis;
  private final List<ClusterNode> nodes;
  private final NginxFront nginx;

  /**
   * What to start. {@code launcher} is the command that runs the chatroom CLI (see {@link #jarLauncher} and
   * {@link #classpathLauncher}); {@code environment} is added to every node's (e.g. CHATROOM_WS_RATE).
   */
  public record Settings(int nodes, String databaseUrl, Path dir, List<String> launcher, Map<String, String> environment, Path nginxFiles) {
    public static Settings of(String databaseUrl, Path dir) {
      return new Settings(3, databaseUrl, dir, classpathLauncher(), Map.of(), NginxFront.SHIPPED);
    }

    public Settings withLauncher(List<String> launcher) {
      return new Settings(nodes, databaseUrl, dir, launcher, environment, nginxFiles);
    }

    public Settings withEnvironment(Map<String, String> environment) {
      return new Settings(nodes, databaseUrl, dir, launcher, environment, nginxFiles);
    }

    public Settings withNodes(int nodes) {
      return new Settings(nodes, databaseUrl, dir, launcher, environment, nginxFiles);
    }
  }

  private LocalCluster(RedisServer redis, List<ClusterNode> nodes, NginxFront nginx) {
    this.redis = redis;
    this.nodes = nodes;
    this.nginx = nginx;
  }

  /** Starts Redis, then the nodes one after another (each migrates the schema if it must), then nginx. */
  public static LocalCluster start(Settings settings) throws IOException, InterruptedException {
    RedisServer redis = new RedisServer(freePort(), settings.dir());
    List<ClusterNode> nodes = new ArrayList<>();
    NginxFront nginx = null;
    LocalCluster cluster = null;
    try {
      redis.start(START_TIMEOUT);
      Map<String, String> env = new HashMap<>();
      env.put("DATABASE_URL", settings.databaseUrl());
      env.put("REDIS_URL", redis.url());
      env.put("JWT_SECRET", randomSecret());
      env.put("LOG_FORMAT", "text");
      // The nodes share the machine with each other and with whatever drives them, so the machine's CPU and
      // memory say nothing about one node: shedding on them would refuse connections that node could take.
      env.put("SHED_CPU_PERCENT", "100");
      env.put("SHED_MEMORY_PERCENT", "100");
      env.putAll(settings.environment());
      List<Integer> ports = new ArrayList<>();
      for (int i = 1; i <= settings.nodes(); i++) {
        int port = freePort();
        ports.add(port);
        nodes.add(new ClusterNode("node" + i, port, settings.launcher(), env, settings.dir()));
      }
      nginx = NginxFront.prepare(settings.nginxFiles(), settings.dir().resolve("nginx"), freePort(), freePort(), ports);
      cluster = new LocalCluster(redis, nodes, nginx);
      for (ClusterNode node : nodes) {
        node.start(START_TIMEOUT);
      }
      nginx.start(START_TIMEOUT);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      } else {
        redis.stop();
      }
      throw e;
    }
  }

  /** Runs the shaded jar built by {@code mvn package}. */
  public static List<String> jarLauncher(Path jar) {
    return List.of(javaBinary(), "-Xmx512m", "-jar", jar.toAbsolutePath().toString());
  }

  /** Runs the code this JVM runs, from its class path: the jar itself, or target/classes in a test. */
  public static List<String> classpathLauncher() {
    return List.of(javaBinary(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.chatroom.Main");
  }

  /** The java binary this JVM runs on, so child nodes run on the same Java. */
  public static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  public RedisServer redis() {
    return redis;
  }

  public List<ClusterNode> nodes() {
    return nodes;
  }

  public ClusterNode node(int index) {
    return nodes.get(index);
  }

  public NginxFront nginx() {
    return nginx;
  }

  /** Where clients go: nginx's TLS port. Its certificate is self-signed, so clients must trust it explicitly. */
  public URI httpsBase() {
    return URI.create("https://127.0.0.1:" + nginx.httpsPort());
  }

  public URI webSocketUri() {
    return URI.create("wss://127.0.0.1:" + nginx.httpsPort() + "/ws");
  }

  /** Stops nginx, then every node gracefully, then Redis; logs stay in the directory. */
  @Override
  public void close() throws InterruptedException {
    nginx.stop();
    for (ClusterNode node : nodes) {
      node.terminate();
    }
    redis.stop();
  }

  /** A TCP port nothing listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
