package io.chatroom.backup;

import io.chatroom.config.DatabaseUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Plain JDBC connections for backups and exports. They bypass {@link io.chatroom.store.Database} on purpose:
 * reading a store must not migrate it (a newer CLI would change the schema under a running older server), and
 * the pool's SQLite connections begin IMMEDIATE transactions, which would hold the write lock for a whole
 * export. A DEFERRED read transaction holds none: in WAL mode writers go on while it reads its snapshot.
 */
final class Jdbc {
  /** Why 10 s: the same patience as the server's pool, long enough to outwait one group commit. */
  private static final String BUSY_TIMEOUT_MS = "10000";
  /** Rows fetched per round trip when streaming from PostgreSQL (which otherwise reads a whole table into memory). */
  static final int FETCH_SIZE = 1_000;

  private Jdbc() {}

  /** Connects to an existing store; an SQLite file that does not exist is an error, never created. */
  static Connection open(DatabaseUrl url, String schema) throws SQLException {
    if (url.kind() == DatabaseUrl.Kind.SQLITE && !Files.isRegularFile(sqliteFile(url))) {
      throw new BackupException("no database at " + sqliteFile(url) + "; check --data-dir or DATABASE_URL");
    }
    return connect(url, schema);
  }

  /** Connects, creating an SQLite file if there is none. */
  static Connection connect(DatabaseUrl url, String schema) throws SQLException {
    Properties p = new Properties();
    if (url.kind() == DatabaseUrl.Kind.SQLITE) {
      p.setProperty("busy_timeout", BUSY_TIMEOUT_MS);
      p.setProperty("foreign_keys", "true");
    } else {
      if (url.user() != null) {
        p.setProperty("user", url.user());
      }
      if (url.password() != null) {
        p.setProperty("password", url.password());
      }
      if (schema != null) {
        p.setProperty("currentSchema", schema);
      }
    }
    return DriverManager.getConnection(url.jdbcUrl(), p);
  }

  static Path sqliteFile(DatabaseUrl url) {
    return Path.of(url.jdbcUrl().substring("jdbc:sqlite:".length()));
  }

  /**
   * Begins a read transaction that sees one snapshot of the whole store until it ends: REPEATABLE READ on
   * PostgreSQL; on SQLite a DEFERRED transaction, whose snapshot starts at its first read.
   */
  static void beginSnapshot(Connection c, DatabaseUrl url) throws SQLException {
    if (url.kind() == DatabaseUrl.Kind.POSTGRES) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
    }
    c.setAutoCommit(false);
  }

  /** The highest schema migration applied (Flyway's version), or "none" for a store never migrated. */
  static String schemaVersion(Connection c) throws SQLException {
    if (!hasTable(c, "flyway_schema_history")) {
      return "none";
    }
    String best = "none";
    long bestNumber = -1;
    try (PreparedStatement ps = c.prepareStatement("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String v = rs.getString(1);
        long n = versionNumber(v);
        if (n > bestNumber) {
          bestNumber = n;
          best = v;
        }
      }
    }
    return best;
  }

  private static long versionNumber(String version) {
    try {
      return Long.parseLong(version.split("\\.")[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether {@code table} exists in the connection's schema (its current schema on PostgreSQL). */
  static boolean hasTable(Connection c, String table) throws SQLException {
    String schema = null;
    if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
      schema = c.getSchema();
      if (schema == null) {
        return false; // the search path names no schema that exists
      }
    }
    try (ResultSet rs = c.getMetaData().getTables(null, schema, table, null)) {
      return rs.next();
    }
  }

  static long count(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Refuses an SQLite file some other process has open. A node holding the database open keeps its WAL file: once our connection closes, the last one would
   * checkpoint and delete it. Replacing the file under a running node would lose what it writes next.
   */
  static void refuseWhileInUse(Path db) throws SQLException {
    try (Connection c = open(DatabaseUrl.sqlite(db), null); PreparedStatement ps = c.prepareStatement("PRAGMA wal_checkpoint(TRUNCATE)")) {
      ps.execute();
    }
    if (Files.exists(db.resolveSibling(db.getFileName() + "-wal"))) {
      throw new BackupException(db + " is in use (is a server running on it?); stop it first; nothing was changed");
    }
  }
}
