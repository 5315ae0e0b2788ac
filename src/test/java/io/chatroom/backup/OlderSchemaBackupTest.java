package io.chatroom.backup;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a store an older version left (its schema behind this version's migrations: a node not yet
 * restarted after an upgrade) is taken, verified against what that store had, and restored into a store this
 * version migrates.
 */
class OlderSchemaBackupTest {
  @TempDir
  Path dir;

  @Test
  void aStoreAtSchemaVersion3IsBackedUpAndRestoresIntoTheCurrentSchema() throws Exception {
    Path file = Files.createDirectories(dir.resolve("old")).resolve("chatroom.db");
    DatabaseUrl old = DatabaseUrl.sqlite(file);
    Flyway.configure().dataSource(old.jdbcUrl(), null, null).locations("classpath:db/migration")
        .placeholders(Map.of("id_pk", "INTEGER PRIMARY KEY AUTOINCREMENT")).target("3").load().migrate();
    try (Connection c = Jdbc.connect(old, null); Statement s = c.createStatement()) {
      s.execute("INSERT INTO users (username, username_key, password_hash, created_at) VALUES ('alice', 'alice', '!', 1)");
      s.execute("UPDATE rooms SET last_seq = 2 WHERE name = 'general'");
      s.execute("INSERT INTO messages (room_id, seq, user_id, client_msg_id, body, ts) SELECT r.id, 1, u.id, 'a-1', 'one', 10"
          + " FROM rooms r, users u WHERE r.name = 'general' AND u.username = 'alice'");
      s.execute("INSERT INTO messages (room_id, seq, user_id, client_msg_id, body, ts) SELECT r.id, 2, u.id, NULL, 'two', 20"
          + " FROM rooms r, users u WHERE r.name = 'general' AND u.username = 'alice'");
    }

    Backup.Result backup = Backup.take(old, null, dir.resolve("backups"), Duration.ofDays(7), false);
    Manifest manifest = Manifest.read(backup.file());
    assertThat(manifest.schemaVersion()).isEqualTo("3");
    assertThat(manifest.counts().rows()).doesNotContainKey("deleted_rooms").containsEntry("messages", 2L).containsEntry("users", 2L);
    assertThat(manifest.checksumColumns()).containsExactly("room_id", "seq", "user_id", "client_msg_id", "body", "ts");

    DatabaseUrl restored = DatabaseUrl.sqlite(dir.resolve("new/chatroom.db"));
    Vertx vertx = Vertx.vertx();
    try {
      Restore.run(vertx, backup.file(), restored, null, false);
    } finally {
      await(vertx.close());
    }
    try (Connection c = Jdbc.connect(restored, null)) {
      assertThat(Integer.parseInt(Jdbc.schemaVersion(c))).isGreaterThan(3);
      assertThat(ExportFormat.checkSource(c, Jdbc.schemaVersion(c))).isEmpty();
    }
    assertThat(StoreRows.query(restored, null, "SELECT seq, client_msg_id, body, ts FROM messages ORDER BY seq"))
        .isEqualTo(List.of(List.of(1L, "a-1", "one", 10L), java.util.Arrays.asList(2L, null, "two", 20L)));
  }
}
