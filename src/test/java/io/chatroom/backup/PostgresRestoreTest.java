package io.chatroom.backup;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.testing.TestDatabases;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores on PostgreSQL: a damaged dump rolls back, the portable backup restores anywhere, a dump only into its schema. */
class PostgresRestoreTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private TestDatabases.Isolated source;

  @BeforeEach
  void storeWithContent() throws Exception {
    vertx = Vertx.vertx();
    source = TestDatabases.create(TestDatabases.Kind.POSTGRES, dir);
    Fixtures.populate(source.url(), source.schema(), "alice", 2_000);
  }

  @AfterEach
  void closeVertx() throws Exception {
    await(vertx.close());
  }

  @Test
  void aTruncatedDumpIsRolledBackAndTheStoreKeepsItsRows() throws Exception {
    PostgresOnlineBackupTest.requireTools();
    Path file = Backup.take(source.url(), source.schema(), dir.resolve("backups"), Duration.ofDays(7), false).file();
    Fixtures.populate(source.url(), source.schema(), "bob", 5);
    List<List<Object>> before = rows(source);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
    Checksums.write(List.of(file, BackupName.manifestOf(file)));

    assertThatThrownBy(() -> Restore.run(vertx, file, source.url(), source.schema(), true))
        .isInstanceOf(BackupException.class).hasMessageContaining("nothing was changed")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(rows(source)).isEqualTo(before);
  }

  @Test
  void aDumpWithoutForceLeavesAStoreWithContentAlone() throws Exception {
    PostgresOnlineBackupTest.requireTools();
    Path file = Backup.take(source.url(), source.schema(), dir.resolve("backups"), Duration.ofDays(7), false).file();
    assertThatThrownBy(() -> Restore.run(vertx, file, source.url(), source.schema(), false))
        .isInstanceOf(BackupException.class).hasMessageEndingWith("is not empty (3 users, 2 rooms, 1 memberships, 2,000 messages,"
            + " 0 audit events, 0 deleted rooms); restore --force replaces it");
  }

  @Test
  void aDumpRestoresOnlyIntoTheSchemaItCameFrom() throws Exception {
    PostgresOnlineBackupTest.requireTools();
    Path file = Backup.take(source.url(), source.schema(), dir.resolve("backups"), Duration.ofDays(7), false).file();
    TestDatabases.Isolated other = TestDatabases.create(TestDatabases.Kind.POSTGRES, dir);
    assertThatThrownBy(() -> Restore.run(vertx, file, other.url(), other.schema(), false))
        .isInstanceOf(BackupException.class)
        .hasMessageStartingWith(file.getFileName() + " holds schema '" + source.schema() + "' and pg_restore restores into that schema only");
  }

  @Test
  void thePortableBackupRestoresIntoAnyEmptySchema() throws Exception {
    Backup.Result backup = Backup.take(source.url(), source.schema(), dir.resolve("backups"), Duration.ofDays(7), true);
    assertThat(backup.kind()).isEqualTo("export");
    assertThat(backup.file().getFileName().toString()).matches("chatroom-\\d{8}T\\d{6}Z\\.jsonl\\.gz");
    assertThat(Manifest.read(backup.file()).counts().rows()).containsEntry("messages", 2_000L);

    TestDatabases.Isolated fresh = TestDatabases.create(TestDatabases.Kind.POSTGRES, dir);
    Restore.Result r = Restore.run(vertx, backup.file(), fresh.url(), fresh.schema(), false);
    assertThat(r.contents()).isEqualTo("3 users, 2 rooms, 1 memberships, 2,000 messages, 0 audit events, 0 deleted rooms");
    assertThat(rows(fresh)).isEqualTo(rows(source));
  }

  private static List<List<Object>> rows(TestDatabases.Isolated db) {
    List<List<Object>> all = new java.util.ArrayList<>();
    for (String sql : StoreRows.ALL) {
      all.addAll(StoreRows.query(db.url(), db.schema(), sql));
    }
    return all;
  }
}
