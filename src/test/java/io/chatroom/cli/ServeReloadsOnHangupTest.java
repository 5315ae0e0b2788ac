package io.chatroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signal wiring, once, in a real {@code chatroom serve} process: SIGHUP re-reads CHATROOM_CONFIG_FILE and
 * the node keeps running (the JVM's own HUP handling would have shut it down).
 */
class ServeReloadsOnHangupTest {
  static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void sighupReloadsTheConfigFileAndTheNodeKeepsRunning() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"), "SIGHUP needs a Unix");
    Path conf = dir.resolve("chatroom.conf");
    Files.writeString(conf, "LOG_LEVEL=INFO\n");
    Path log = dir.resolve("node.log");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // env resets HUP to its default: a build started under nohup would hand the node an ignored SIGHUP
    ProcessBuilder builder = new ProcessBuilder("env", "--default-signal=HUP",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
        "io.chatroom.Main", "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.resolve("data").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("CHATROOM_") || k.startsWith("DATABASE_") || k.equals("REDIS_URL") || k.startsWith("LOG_"));
    env.put("CHATROOM_CONFIG_FILE", conf.toString());
    env.put("LOG_FORMAT", "text");
    env.put("JWT_SECRET", "test-secret-that-is-at-least-32-characters-long");
    Process node = builder.start();
    try {
      awaitLog(node, log, "chatroom listening on", STARTUP);

      Files.writeString(conf, "LOG_LEVEL=DEBUG\nCHATROOM_PING_INTERVAL_SECONDS=5\n");
      hangUp(node);
      awaitLog(node, log, "configuration reloaded: applied LOG_LEVEL; log level DEBUG", Duration.ofSeconds(20));
      assertThat(Files.readString(log)).contains("needs a restart: CHATROOM_PING_INTERVAL_SECONDS");

      Files.writeString(conf, "LOG_LEVEL=LOUD\n");
      hangUp(node);
      awaitLog(node, log, "configuration reload refused, nothing changed: LOG_LEVEL", Duration.ofSeconds(20));
      assertThat(node.isAlive()).as("HUP reloads; it does not stop the node").isTrue();
    } finally {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  private static void hangUp(Process node) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(node.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }

  private static void awaitLog(Process node, Path log, String text, Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!Files.readString(log).contains(text)) {
      if (!node.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' in the node's log" + (node.isAlive() ? "" : " (it exited)") + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }
}
