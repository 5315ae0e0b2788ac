package io.chatroom.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chatroom.config.DatabaseUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;

/**
 * The databases tests run on. PostgreSQL comes from {@code CHATROOM_TEST_DATABASE_URL}, else from
 * 127.0.0.1:5432 when something answers there. Without one the PostgreSQL variants are skipped with a
 * notice, except under {@code CI=true}, where a missing PostgreSQL fails the run.
 */
public final class TestDatabases {
  private static final String LOCAL = "postgresql://postgres@127.0.0.1:5432/test";

  private TestDatabases() {}

  public enum Kind { SQLITE, POSTGRES }

  /** A database of {@code kind} that no other test touches. */
  public static Isolated create(Kind kind, Path tempDir) {
    if (kind == Kind.SQLITE) {
      return new Isolated(DatabaseUrl.sqlite(tempDir.resolve("test.db")), null);
    }
    return new Isolated(postgres(tempDir), "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT));
  }

  /** A database URL and, for PostgreSQL, the fresh schema that isolates this test. */
  public record Isolated(DatabaseUrl url, String schema) {}

  /** The PostgreSQL URL the tests use, as an operator would write it (for settings such as DATABASE_READ_URL). */
  public static String postgresUrl() {
    String configured = System.getenv("CHATROOM_TEST_DATABASE_URL");
    return configured != null && !configured.isBlank() ? configured : LOCAL;
  }

  private static DatabaseUrl postgres(Path tempDir) {
    String configured = System.getenv("CHATROOM_TEST_DATABASE_URL");
    String url = postgresUrl();
    DatabaseUrl parsed = DatabaseUrl.parse(url, tempDir);
    boolean reachable = configured != null || answers("127.0.0.1", 5432);
    if (!reachable) {
      String notice = "PostgreSQL not reachable at 127.0.0.1:5432 and CHATROOM_TEST_DATABASE_URL unset";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(notice + ": CI=true requires PostgreSQL (.ci/run starts it)");
      }
      System.err.println("NOTICE: skipping PostgreSQL test: " + notice);
      assumeTrue(false, notice);
    }
    return parsed;
  }

  private static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
