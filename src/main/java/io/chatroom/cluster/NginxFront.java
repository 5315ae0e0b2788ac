package io.chatroom.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * nginx in front of the nodes, running the shipped {@code deploy/nginx/} files with only what a machine-local
 * copy must change: loopback ports, the node list in {@code upstream.conf}, a throwaway self-signed
 * certificate and paths inside the cluster's directory. Everything else (balancing, timeouts, limits,
 * headers) is as shipped.
 */
public final class NginxFront {
  public static final Path SHIPPED = Path.of("deploy/nginx");
  private static final String NGINX = "/usr/sbin/nginx";

  private final Path dir;
  private final int httpPort;
  private final int httpsPort;
  private final ChildProcess process;

  private NginxFront(Path dir, int httpPort, int httpsPort) {
    this.dir = dir;
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.process = new ChildProcess("nginx", List.of(NGINX, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-g", "daemon off;"), Map.of(), dir.resolve("nginx.log"));
  }

  /**
   * Writes the configuration and a certificate into {@code dir}; {@link #start} runs it. With no
   * {@code nodePorts} the shipped upstream and listen addresses stay as they are (for {@link #test}).
   */
  public static NginxFront prepare(Path shipped, Path dir, int httpPort, int httpsPort, List<Integer> nodePorts)
      throws IOException, InterruptedException {
    dir = Files.createDirectories(dir).toAbsolutePath();
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"), dir.resolve("openssl.log"));
    Files.writeString(dir.resolve("upstream.conf"), upstream(Files.readString(shipped.resolve("upstream.conf")), nodePorts));
    Files.writeString(dir.resolve("site.conf"), siteConfig(Files.readString(shipped.resolve("chatroom.conf")), dir, cert, key, httpPort, httpsPort));
    Files.writeString(dir.resolve("nginx.conf"), "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + ";\n"
        + "events {}\nhttp {\n  access_log " + dir.resolve("access.log") + ";\n  include " + dir.resolve("upstream.conf") + ";\n"
        + "  include " + dir.resolve("site.conf") + ";\n}\n");
    return new NginxFront(dir, httpPort, httpsPort);
  }

  /** The shipped upstream block with its servers replaced by {@code nodePorts} on loopback (unchanged when empty). */
  static String upstream(String shipped, List<Integer> nodePorts) {
    if (nodePorts.isEmpty()) {
      return shipped;
    }
    String servers = nodePorts.stream()
        .map(port -> "\n    server 127.0.0.1:" + port + " max_fails=3 fail_timeout=10s;")
        .collect(Collectors.joining());
    return shipped.replaceAll("\\n *server [^;]+;", "").replace("least_conn;", "least_conn;" + servers);
  }

  /**
   * The shipped site configuration moved to this machine: certificate and cache paths under {@code dir}, and,
   * when {@code httpPort} is positive, listening on loopback ports.
   */
  static String siteConfig(String shipped, Path dir, Path cert, Path key, int httpPort, int httpsPort) {
    String site = shipped
        .replace("/etc/ssl/chatroom/fullchain.pem", cert.toString())
        .replace("/etc/ssl/chatroom/privkey.pem", key.toString())
        .replace("/var/cache/nginx/chatroom", dir.resolve("cache").toString())
        .replace("/var/www/acme", dir.resolve("acme").toString());
    if (httpPort <= 0) {
      return site;
    }
    return site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
        .replace("listen 443 ssl http2;", "listen 127.0.0.1:" + httpsPort + " ssl http2;");
  }

  /** {@code nginx -t} on the prepared configuration: its output when it fails, null when it passes. */
  public String test() throws IOException, InterruptedException {
    Path log = dir.resolve("nginx-t.log");
    int code = runForCode(List.of(NGINX, "-t", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()), log);
    return code == 0 ? null : Files.readString(log);
  }

  public void start(Duration timeout) throws IOException, InterruptedException {
    process.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!listening(httpsPort)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("nginx did not listen on " + httpsPort + ":\n" + process.tail(20) + "\n" + errorLog());
      }
      Thread.sleep(50);
    }
  }

  public void stop() throws InterruptedException {
    process.terminate(Duration.ofSeconds(10));
  }

  public int httpPort() {
    return httpPort;
  }

  public int httpsPort() {
    return httpsPort;
  }

  public String errorLog() {
    try {
      return Files.readString(dir.resolve("error.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(List<String> command, Path log) throws IOException, InterruptedException {
    int code = runForCode(command, log);
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
    }
  }

  private static int runForCode(List<String> command, Path log) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " did not finish in 60 s");
    }
    return p.exitValue();
  }
}
