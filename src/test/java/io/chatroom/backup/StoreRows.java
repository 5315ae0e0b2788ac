package io.chatroom.backup;

import io.chatroom.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads a store's rows as plain lists, so two stores (or a store and what clients saw) compare with equals. */
final class StoreRows {
  static final String USERS = "SELECT id, username, username_key, password_hash, created_at, is_admin, disabled_at, sessions_valid_after"
      + " FROM users ORDER BY id";
  static final String ROOMS = "SELECT id, name, topic, is_private, last_seq, created_at FROM rooms ORDER BY id";
  static final String MEMBERSHIPS = "SELECT room_id, user_id, joined_at FROM room_members ORDER BY room_id, user_id";
  static final String MESSAGES = "SELECT room_id, seq, user_id, body, client_msg_id, ts, reply_to, interrupted FROM messages"
      + " ORDER BY room_id, seq";
  static final String AUDIT = "SELECT id, ts, actor, action, target, detail, origin FROM audit_events ORDER BY id";
  static final String DELETED_ROOMS = "SELECT name, deleted_at FROM deleted_rooms ORDER BY name";
  static final List<String> ALL = List.of(USERS, ROOMS, MEMBERSHIPS, MESSAGES, AUDIT, DELETED_ROOMS);

  private StoreRows() {}

  /** Every row of {@code sql}; numbers as Long and booleans as Boolean, whichever database answered. */
  static List<List<Object>> query(DatabaseUrl url, String schema, String sql, Object... params) {
    try (Connection c = Jdbc.connect(url, schema); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(columns);
          for (int i = 1; i <= columns; i++) {
            row.add(normalise(rs, i));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new AssertionError("query failed: " + sql, e);
    }
  }

  static long count(DatabaseUrl url, String schema, String sql, Object... params) {
    return (Long) query(url, schema, sql, params).get(0).get(0);
  }

  private static Object normalise(ResultSet rs, int column) throws SQLException {
    String label = rs.getMetaData().getColumnLabel(column).toLowerCase(java.util.Locale.ROOT);
    if (label.equals("is_admin") || label.equals("is_private") || label.equals("interrupted")) {
      return rs.getBoolean(column);
    }
    Object value = rs.getObject(column);
    if (value instanceof Number n) {
      return n.longValue();
    }
    return value;
  }
}
