package io.chatroom.store;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every pooled SQLite connection carries the settings an ack relies on (WAL, fsync on every
 * commit) and the ones the durable benchmark was tuned with; a driver upgrade that silently
 * drops a data-source property would otherwise only show up as lost messages or a slow bench.
 */
class SqliteSettingsTest {
  @TempDir
  Path dataDir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    await(vertx.close());
  }

  @Test
  void pooledConnectionsAreDurableAndTuned() throws Exception {
    Map<String, String> expected = Map.of(
        "journal_mode", "wal",
        "synchronous", "2",
        "foreign_keys", "1",
        "wal_autocheckpoint", "10000",
        "journal_size_limit", String.valueOf(64L << 20),
        "cache_size", "-16000");
    try (Database db = Database.open(vertx, DatabaseUrl.sqlite(dataDir.resolve("chatroom.db")), null)) {
      Map<String, String> actual = await(db.read(c -> pragmas(c, expected.keySet())));
      assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
    }
  }

  private static Map<String, String> pragmas(Connection c, Set<String> names) throws Exception {
    Map<String, String> values = new HashMap<>();
    try (Statement s = c.createStatement()) {
      for (String name : names) {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
          rs.next();
          values.put(name, rs.getString(1));
        }
      }
    }
    return values;
  }
}
