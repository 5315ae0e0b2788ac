package io.chatroom.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export format covers the whole schema the migrations build, on both databases. A migration that adds a
 * table or column without adding it to {@link ExportFormat} fails here, before an export could leave it behind.
 */
class ExportFormatTest {
  @TempDir
  Path dir;

  @Test
  void theFormatCoversEveryTableAndColumnOfAMigratedSqliteStore() throws Exception {
    DatabaseUrl url = DatabaseUrl.sqlite(dir.resolve("chatroom.db"));
    Fixtures.populate(url, null, "alice", 1);
    try (Connection c = Jdbc.connect(url, null)) {
      assertThat(ExportFormat.checkSource(c, Jdbc.schemaVersion(c))).isEmpty();
    }
  }

  @Test
  void theFormatCoversEveryTableAndColumnOfAMigratedPostgresStore() throws Exception {
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.POSTGRES, dir);
    Fixtures.populate(db.url(), db.schema(), "alice", 1);
    try (Connection c = Jdbc.connect(db.url(), db.schema())) {
      assertThat(ExportFormat.checkSource(c, Jdbc.schemaVersion(c))).isEmpty();
    }
  }

  @Test
  void aColumnTheFormatDoesNotKnowStopsTheExport() throws Exception {
    DatabaseUrl url = DatabaseUrl.sqlite(dir.resolve("chatroom.db"));
    Fixtures.populate(url, null, "alice", 1);
    execute(url, "ALTER TABLE messages ADD COLUMN reactions TEXT");
    assertThatThrownBy(() -> Export.toFile(url, null, dir.resolve("out.jsonl"))).isInstanceOf(BackupException.class)
        .hasMessage("column messages.reactions is not part of export format 1 and would be left behind;"
            + " this chatroom version cannot export it (a backup can)");
    assertThat(dir.resolve("out.jsonl")).doesNotExist();
    assertThat(dir.resolve("out.jsonl.partial")).doesNotExist();
  }

  @Test
  void anotherApplicationsTableIsLeftOutAndNamed() throws Exception {
    DatabaseUrl url = DatabaseUrl.sqlite(dir.resolve("chatroom.db"));
    Fixtures.populate(url, null, "alice", 1);
    execute(url, "CREATE TABLE wiki_pages (id INTEGER PRIMARY KEY, body TEXT)");
    Export.Summary summary = Export.toFile(url, null, dir.resolve("out.jsonl"));
    assertThat(summary.leftOut()).containsExactly("wiki_pages");
    assertThat(summary.counts().rows()).containsEntry("messages", 1L);
  }

  private static void execute(DatabaseUrl url, String sql) throws Exception {
    try (Connection c = Jdbc.connect(url, null); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
