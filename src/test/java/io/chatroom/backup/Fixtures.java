package io.chatroom.backup;

import static io.chatroom.testing.Await.await;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Stores with content, made straight in SQL (faster than a server when the test is not about the server). */
final class Fixtures {
  private Fixtures() {}

  /** Migrates the store and adds user {@code name} with {@code messages} messages in {@code general}. */
  static void populate(DatabaseUrl url, String schema, String name, int messages) throws Exception {
    if (url.kind() == DatabaseUrl.Kind.SQLITE) {
      java.nio.file.Files.createDirectories(Jdbc.sqliteFile(url).getParent());
    }
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, url, schema)) {
      db.inTransaction(c -> {
        long user;
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO users (username, username_key, password_hash, created_at) VALUES (?, ?, '!', 1) RETURNING id")) {
          ps.setString(1, name);
          ps.setString(2, name.toLowerCase(java.util.Locale.ROOT));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            user = rs.getLong(1);
          }
        }
        long last;
        try (PreparedStatement ps = c.prepareStatement("UPDATE rooms SET last_seq = last_seq + ? WHERE name = 'general' RETURNING id, last_seq")) {
          ps.setInt(1, messages);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            long room = rs.getLong(1);
            last = rs.getLong(2);
            try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO messages (room_id, seq, user_id, client_msg_id, body, ts) VALUES (?, ?, ?, ?, ?, ?)")) {
              for (long seq = last - messages + 1; seq <= last; seq++) {
                insert.setLong(1, room);
                insert.setLong(2, seq);
                insert.setLong(3, user);
                insert.setString(4, name + "-" + seq);
                insert.setString(5, "message " + seq + " from " + name);
                insert.setLong(6, 1_700_000_000_000L + seq);
                insert.addBatch();
              }
              insert.executeBatch();
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO room_members (room_id, user_id, joined_at)"
            + " SELECT id, ?, 1 FROM rooms WHERE name = 'general'")) {
          ps.setLong(1, user);
          ps.executeUpdate();
        }
        return null;
      });
    } finally {
      await(vertx.close());
    }
  }
}
