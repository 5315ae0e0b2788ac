package io.chatroom.backup;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Version {@value #VERSION} of the export format: which tables it carries, in which order (parents before
 * children, so an import never breaks a foreign key), and every column as a typed JSON field. Export, import
 * and the message checksum all follow this one list.
 *
 * <p>A migration that adds a column or a table must add it here too; until then exporting refuses to run
 * ({@link #checkSource}) rather than silently leave data behind.
 */
final class ExportFormat {
  static final String FORMAT = "chatroom-export";
  static final int VERSION = 1;

  /** How a column travels: JSON integers, booleans and strings; {@code null} where the column allows it. */
  enum Kind { LONG, BOOLEAN, TEXT }

  /** One column: its name in the database and its field name in the JSON line. */
  record Column(String name, String field, Kind kind, boolean nullable) {}

  /**
   * One table as a section of lines.
   *
   * @param type     the {@code type} of its lines
   * @param countKey its name in the header's {@code counts}
   * @param orderBy  the order lines are written in (the message checksum depends on it)
   */
  record Table(String type, String name, String countKey, String orderBy, List<Column> columns) {
    String select() {
      return "SELECT " + columns.stream().map(Column::name).collect(Collectors.joining(", ")) + " FROM " + name + " ORDER BY " + orderBy;
    }

    /** The same table with only {@code names}, in that order; a name it does not have is a {@link BackupException}. */
    Table only(List<String> names) {
      List<Column> picked = new ArrayList<>();
      for (String n : names) {
        picked.add(columns.stream().filter(c -> c.name().equals(n)).findFirst().orElseThrow(() -> new BackupException(
            "the backup's checksum covers " + name + "." + n + ", which this chatroom version does not know;"
                + " restore it with the version that made it")));
      }
      return new Table(type, name, countKey, orderBy, List.copyOf(picked));
    }

    String insert() {
      return "INSERT INTO " + name + " (" + columns.stream().map(Column::name).collect(Collectors.joining(", ")) + ") VALUES ("
          + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }
  }

  static final Table USERS = new Table("user", "users", "users", "id", List.of(
      col("id", Kind.LONG), col("username", Kind.TEXT), col("username_key", Kind.TEXT), col("password_hash", Kind.TEXT),
      col("created_at", Kind.LONG), col("is_admin", Kind.BOOLEAN), nullable("disabled_at", "disabled_at", Kind.LONG),
      col("sessions_valid_after", Kind.LONG)));
  static final Table ROOMS = new Table("room", "rooms", "rooms", "id", List.of(
      col("id", Kind.LONG), col("name", Kind.TEXT), col("topic", Kind.TEXT), col("is_private", Kind.BOOLEAN),
      col("last_seq", Kind.LONG), col("created_at", Kind.LONG)));
  static final Table MEMBERSHIPS = new Table("membership", "room_members", "memberships", "room_id, user_id", List.of(
      renamed("room_id", "room", Kind.LONG), renamed("user_id", "user", Kind.LONG), col("joined_at", Kind.LONG)));
  static final Table MESSAGES = new Table("message", "messages", "messages", "room_id, seq", List.of(
      renamed("room_id", "room", Kind.LONG), col("seq", Kind.LONG), renamed("user_id", "user", Kind.LONG),
      nullable("client_msg_id", "client_msg_id", Kind.TEXT), col("body", Kind.TEXT), col("ts", Kind.LONG),
      nullable("reply_to", "reply_to", Kind.LONG), col("interrupted", Kind.BOOLEAN)));
  static final Table AUDIT_EVENTS = new Table("audit_event", "audit_events", "audit_events", "id", List.of(
      col("id", Kind.LONG), col("ts", Kind.LONG), col("actor", Kind.TEXT), col("action", Kind.TEXT), col("target", Kind.TEXT),
      col("detail", Kind.TEXT), col("origin", Kind.TEXT)));
  static final Table DELETED_ROOMS = new Table("deleted_room", "deleted_rooms", "deleted_rooms", "name", List.of(
      col("name", Kind.TEXT), col("deleted_at", Kind.LONG)));

  /** Every table an export carries, in the order it writes them. */
  static final List<Table> TABLES = List.of(USERS, ROOMS, MEMBERSHIPS, MESSAGES, AUDIT_EVENTS, DELETED_ROOMS);

  /**
   * Tables an export leaves out, and why: the built-in monitor's samples and alert history describe the
   * nodes that took them (a moved installation starts sampling afresh), the target has its own record
   * of migrations, and the idempotency keys are derived from the messages, which an import keys again.
   */
  static final Set<String> NOT_EXPORTED = Set.of("monitor_samples", "alert_events", "flyway_schema_history", "client_msg_ids");

  /** Columns of exported tables an export leaves out because they are derived: how far a room's keys are written. */
  static final Set<String> DERIVED_COLUMNS = Set.of("rooms.keyed_seq");

  private ExportFormat() {}

  private static Column col(String name, Kind kind) {
    return new Column(name, name, kind, false);
  }

  private static Column renamed(String name, String field, Kind kind) {
    return new Column(name, field, kind, false);
  }

  private static Column nullable(String name, String field, Kind kind) {
    return new Column(name, field, kind, true);
  }

  static Table section(String type) {
    for (Table t : TABLES) {
      if (t.type().equals(type)) {
        return t;
      }
    }
    return null;
  }

  /**
   * Checks a source store against this format. A column the format does not know in one of its tables would be
   * left behind: refused. A column it expects but the store lacks means the store needs migrating: refused.
   * Tables that are neither the format's nor {@link #NOT_EXPORTED} (another application's, in a shared
   * schema) are left out and returned, so the caller can say so.
   *
   * @return the names of the tables left out, sorted
   */
  static List<String> checkSource(Connection c, String schemaVersion) throws SQLException {
    Set<String> known = TABLES.stream().map(Table::name).collect(Collectors.toSet());
    List<String> leftOut = new ArrayList<>();
    for (String table : tables(c)) {
      if (!known.contains(table) && !NOT_EXPORTED.contains(table)) {
        leftOut.add(table);
      }
    }
    for (Table t : TABLES) {
      Set<String> actual = columns(c, t.name());
      Set<String> expected = t.columns().stream().map(Column::name).collect(Collectors.toCollection(LinkedHashSet::new));
      for (String column : actual) {
        if (!expected.contains(column) && !DERIVED_COLUMNS.contains(t.name() + "." + column)) {
          throw new BackupException("column " + t.name() + "." + column + " is not part of export format " + VERSION
              + " and would be left behind; this chatroom version cannot export it (a backup can)");
        }
      }
      checkHas(t, actual, schemaVersion);
    }
    leftOut.sort(null);
    return leftOut;
  }

  /** Refuses a target store that lacks a column the format fills (its schema is older than this chatroom's). */
  static void checkTarget(Connection c, String schemaVersion) throws SQLException {
    for (Table t : TABLES) {
      checkHas(t, columns(c, t.name()), schemaVersion);
    }
  }

  private static void checkHas(Table t, Set<String> actual, String schemaVersion) {
    for (Column column : t.columns()) {
      if (!actual.contains(column.name())) {
        throw new BackupException("the store has no column " + t.name() + "." + column.name() + " (schema version " + schemaVersion
            + "): start this chatroom version's server on it once (it migrates the schema), then try again");
      }
    }
  }

  private static List<String> tables(Connection c) throws SQLException {
    String schema = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres") ? c.getSchema() : null;
    List<String> names = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        if (!name.startsWith("sqlite_")) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** The columns {@code table} has in the store, lower case; empty when there is no such table. */
  static Set<String> columns(Connection c, String table) throws SQLException {
    Set<String> names = new LinkedHashSet<>();
    if (!Jdbc.hasTable(c, table)) {
      return names;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE 1 = 0"); ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  /** The current row of a {@link Table#select()} of {@code table}, one value per column. */
  static Object[] row(ResultSet rs, Table table) throws SQLException {
    Object[] values = new Object[table.columns().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = read(rs, i + 1, table.columns().get(i));
    }
    return values;
  }

  /** Column {@code i} (1-based) of the current row as its Java value: Long, Boolean, String or null. */
  static Object read(ResultSet rs, int i, Column column) throws SQLException {
    Object value = switch (column.kind()) {
      case LONG -> rs.getLong(i);
      case BOOLEAN -> rs.getBoolean(i);
      case TEXT -> rs.getString(i);
    };
    return rs.wasNull() ? null : value;
  }

  static void write(JsonGenerator json, Column column, Object value) throws IOException {
    if (value == null) {
      json.writeNullField(column.field());
    } else {
      switch (column.kind()) {
        case LONG -> json.writeNumberField(column.field(), (Long) value);
        case BOOLEAN -> json.writeBooleanField(column.field(), (Boolean) value);
        case TEXT -> json.writeStringField(column.field(), (String) value);
      }
    }
  }

  /** The field of {@code column} in a line, checked against its kind; {@code line} numbers the error. */
  static Object parse(JsonNode row, Column column, long line) {
    JsonNode v = row.get(column.field());
    if (v == null || v.isNull()) {
      if (!column.nullable()) {
        throw new BackupException("line " + line + " of the export: a " + row.path("type").asText() + " without '" + column.field() + "'");
      }
      return null;
    }
    boolean ok = switch (column.kind()) {
      case LONG -> v.isIntegralNumber() && v.canConvertToLong();
      case BOOLEAN -> v.isBoolean();
      case TEXT -> v.isTextual();
    };
    if (!ok) {
      throw new BackupException("line " + line + " of the export: '" + column.field() + "' is not "
          + Map.of(Kind.LONG, "a whole number", Kind.BOOLEAN, "true or false", Kind.TEXT, "a string").get(column.kind()));
    }
    return switch (column.kind()) {
      case LONG -> v.longValue();
      case BOOLEAN -> v.booleanValue();
      case TEXT -> v.textValue();
    };
  }

  static void bind(PreparedStatement ps, int i, Column column, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(i, switch (column.kind()) {
        case LONG -> Types.BIGINT;
        case BOOLEAN -> Types.BOOLEAN;
        case TEXT -> Types.VARCHAR;
      });
      return;
    }
    switch (column.kind()) {
      case LONG -> ps.setLong(i, (Long) value);
      case BOOLEAN -> ps.setBoolean(i, (Boolean) value);
      case TEXT -> ps.setString(i, (String) value);
    }
  }
}
