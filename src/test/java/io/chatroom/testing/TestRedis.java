package io.chatroom.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

/**
 * The Redis tests run on: {@code CHATROOM_TEST_REDIS_URL}, else 127.0.0.1:6379 when something answers
 * there. Without one the Redis tests are skipped with a notice, except under {@code CI=true}, where a
 * missing Redis fails the run.
 */
public final class TestRedis {
  private TestRedis() {}

  public static String url() {
    String configured = System.getenv("CHATROOM_TEST_REDIS_URL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
      return "redis://127.0.0.1:6379";
    } catch (IOException e) {
      String notice = "Redis not reachable at 127.0.0.1:6379 and CHATROOM_TEST_REDIS_URL unset";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(notice + ": CI=true requires Redis (.ci/run starts it)");
      }
      System.err.println("NOTICE: skipping Redis test: " + notice);
      assumeTrue(false, notice);
      return null;
    }
  }

  /** A channel prefix no other test uses, so tests sharing one Redis never hear each other. */
  public static String uniquePrefix() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }
}
