package io.chatroom.backup;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chatroom.testing.TestDatabases;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

/**
 * The online backup on PostgreSQL with pg_dump. A dump restores into the schema it was taken from, so the
 * restore goes into that schema after it was dropped: a store that no longer exists, as after losing a server.
 */
class PostgresOnlineBackupTest extends OnlineBackupContract {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.POSTGRES;
  }

  @Override
  Path backup(TestDatabases.Isolated live, Path backups) {
    requireTools();
    Backup.Result r = Backup.take(live.url(), live.schema(), backups, Duration.ofDays(7), false);
    assertThat(r.kind()).isEqualTo("pg_dump");
    assertThat(r.file().getFileName().toString()).matches("chatroom-\\d{8}T\\d{6}Z\\.pgdump");
    return r.file();
  }

  @Override
  TestDatabases.Isolated restoreIntoFreshStore(Path file, TestDatabases.Isolated live, Path scratch) throws Exception {
    try (Connection c = Jdbc.connect(live.url(), null); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + PgTools.exactName(live.schema()) + " CASCADE");
    }
    Vertx vertx = Vertx.vertx();
    try {
      Restore.Result r = Restore.run(vertx, file, live.url(), live.schema(), false);
      assertThat(r.kind()).isEqualTo("pg_dump");
    } finally {
      await(vertx.close());
    }
    return live;
  }

  /** Skips (loudly; fails under CI=true) without PostgreSQL's client tools. */
  static void requireTools() {
    boolean present = PgTools.find("pg_dump") != null && PgTools.find("pg_restore") != null;
    if (!present) {
      String notice = "pg_dump and pg_restore are not on PATH (Debian package postgresql-client)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(notice + ": CI=true requires them");
      }
      System.err.println("NOTICE: skipping pg_dump test: " + notice);
    }
    assumeTrue(present, "pg_dump and pg_restore are not on PATH");
  }
}
