package io.chatroom.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How many rows a store holds in each table an export carries ({@link ExportFormat#TABLES}), keyed like the
 * export header's {@code counts}. Recorded when a backup or export is made and compared after every restore
 * and import; a difference means something was lost or added on the way.
 */
record Counts(Map<String, Long> rows) {
  /** Rows migrations create in every store (V1 general, V2 system and ops, V4 ai): a store with only these is empty. */
  static final Set<String> SEEDED_USERS = Set.of("system", "ai");
  static final Set<String> SEEDED_ROOMS = Set.of("general", "ops");

  Counts {
    rows = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rows));
  }

  static Counts of(Connection c) throws SQLException {
    return of(c, ExportFormat.TABLES.stream().map(ExportFormat.Table::countKey).toList());
  }

  /** The keys of the format's tables this store has (a store not yet migrated lacks the newer ones). */
  static List<String> present(Connection c) throws SQLException {
    List<String> keys = new java.util.ArrayList<>();
    for (ExportFormat.Table t : ExportFormat.TABLES) {
      if (Jdbc.hasTable(c, t.name())) {
        keys.add(t.countKey());
      }
    }
    return keys;
  }

  /**
   * Counts only the tables named by {@code keys}, as a manifest recorded them: a backup from before a
   * migration added a table is checked against the tables it had.
   */
  static Counts of(Connection c, java.util.Collection<String> keys) throws SQLException {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String key : keys) {
      ExportFormat.Table t = ExportFormat.TABLES.stream().filter(table -> table.countKey().equals(key)).findFirst()
          .orElseThrow(() -> new BackupException("the backup counts a table '" + key + "' this chatroom version does not know;"
              + " restore it with the version that made it"));
      rows.put(key, Jdbc.count(c, "SELECT COUNT(*) FROM " + t.name()));
    }
    return new Counts(rows);
  }

  /**
   * True when the store has nothing a person made: no tables yet, or only the rows migrations seed (users
   * {@link #SEEDED_USERS}, rooms {@link #SEEDED_ROOMS}) and every other exported table empty. Monitor samples
   * and alert history do not count: a node that started once leaves them behind.
   */
  static boolean isEmpty(Connection c) throws SQLException {
    if (!Jdbc.hasTable(c, ExportFormat.MESSAGES.name())) {
      return true;
    }
    for (ExportFormat.Table t : ExportFormat.TABLES) {
      if (t != ExportFormat.USERS && t != ExportFormat.ROOMS && Jdbc.count(c, "SELECT COUNT(*) FROM " + t.name()) > 0) {
        return false;
      }
    }
    return onlyNames(c, "SELECT username_key FROM users", SEEDED_USERS) && onlyNames(c, "SELECT name FROM rooms", SEEDED_ROOMS);
  }

  private static boolean onlyNames(Connection c, String sql, Set<String> allowed) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!allowed.contains(rs.getString(1))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Counts recorded in an export header or end line; every table of the format must be there. */
  static Counts fromMap(Map<String, ? extends Number> m) {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (ExportFormat.Table t : ExportFormat.TABLES) {
      Number n = m.get(t.countKey());
      if (n == null) {
        throw new BackupException("the recorded counts have no '" + t.countKey() + "'");
      }
      rows.put(t.countKey(), n.longValue());
    }
    return new Counts(rows);
  }

  /** "12 users, 3 rooms, 20 memberships, 4,211 messages, 0 audit events, 0 deleted rooms", for reports. */
  @Override
  public String toString() {
    return rows.entrySet().stream()
        .map(e -> String.format(java.util.Locale.ROOT, "%,d %s", e.getValue(), e.getKey().replace('_', ' ')))
        .collect(Collectors.joining(", "));
  }
}
