package io.chatroom.backup;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Puts a backup back. In order: the checksum file must match (no restore from an unverified file); a store
 * that holds anything is refused without {@code force}; the backup is read and checked before the store is
 * touched; then the store is replaced, migrated ({@link Database#open}), and must answer and hold exactly the
 * counts and message checksum its manifest recorded. Any failure before the replacement leaves the store
 * byte for byte as it was. Stop the server first: a running node would keep serving from the old store.
 *
 * <ul>
 *   <li>SQLite: decompressed into a temp file beside the database, {@code PRAGMA integrity_check}ed and counted,
 *       then moved over it in one atomic rename. The replaced file is kept as {@code <db>.replaced-<time>}.
 *   <li>pg_dump: {@code pg_restore --clean --if-exists --single-transaction} into the schema it was dumped
 *       from; a failure rolls the whole restore back.
 *   <li>Export: {@link Import} (one transaction, verified before it commits).
 * </ul>
 */
public final class Restore {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Restore() {}

  /**
   * A restore that succeeded and was verified.
   *
   * @param contents the restored row counts, for people
   * @param replaced where the replaced SQLite file was kept; null when there was none
   */
  public record Result(String kind, String contents, Path replaced) {}

  /**
   * Restores {@code file} into the store at {@code target}.
   *
   * @param schema the PostgreSQL schema; null for the default
   * @param force  replace a store that is not empty
   * @throws BackupException with the reason; unless it says the store was replaced, nothing was changed
   */
  public static Result run(Vertx vertx, Path file, DatabaseUrl target, String schema, boolean force) {
    BackupName.Kind kind = BackupName.kindOf(file);
    if (!Files.isRegularFile(file)) {
      throw new BackupException("no file " + file);
    }
    try {
      Checksums.verify(file);
      return switch (kind) {
        case SQLITE -> sqlite(vertx, file, Manifest.read(file), target, force);
        case PG_DUMP -> pgDump(vertx, file, Manifest.read(file), target, schema, force);
        case EXPORT -> export(vertx, file, target, schema, force);
      };
    } catch (IOException | SQLException e) {
      throw new BackupException("cannot restore " + file + " (" + e.getMessage() + "); nothing was changed", e);
    }
  }

  private static Result sqlite(Vertx vertx, Path file, Manifest manifest, DatabaseUrl target, boolean force)
      throws IOException, SQLException {
    if (target.kind() != DatabaseUrl.Kind.SQLITE) {
      throw new BackupException(file.getFileName() + " is an SQLite backup and restores into SQLite only; to move to PostgreSQL,"
          + " restore it into SQLite and then export and import (docs/operations.md)");
    }
    Path db = Jdbc.sqliteFile(target);
    boolean exists = Files.isRegularFile(db) && Files.size(db) > 0;
    if (exists) {
      Jdbc.refuseWhileInUse(db);
      refuseUnlessEmpty(target, null, force);
    }
    Files.createDirectories(db.getParent());
    Path temp = Files.createTempFile(db.getParent(), "." + db.getFileName() + ".restore-", ".tmp");
    Path replaced = null;
    try {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      } catch (ZipException | EOFException e) {
        throw new BackupException(file.getFileName() + " is corrupt or truncated (" + e.getMessage() + "); nothing was changed");
      }
      checkSnapshot(file, temp, manifest);
      if (exists) {
        Jdbc.refuseWhileInUse(db);
        replaced = db.resolveSibling(db.getFileName() + ".replaced-" + STAMP.format(Instant.now()));
        keepCopy(db, replaced);
      }
      Files.deleteIfExists(db.resolveSibling(db.getFileName() + "-shm"));
      Files.move(temp, db, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      for (String suffix : new String[] {"", "-journal", "-wal", "-shm"}) {
        Export.deleteQuietly(temp.resolveSibling(temp.getFileName() + suffix));
      }
    }
    verifyRestored(vertx, target, null, manifest, replaced);
    return new Result(manifest.kind(), manifest.counts().toString(), replaced);
  }

  /** The decompressed database must be intact and hold what the manifest says, before it replaces anything. */
  private static void checkSnapshot(Path file, Path snapshot, Manifest manifest) {
    try (Connection c = Jdbc.open(DatabaseUrl.sqlite(snapshot), null)) {
      try (PreparedStatement ps = c.prepareStatement("PRAGMA integrity_check"); ResultSet rs = ps.executeQuery()) {
        String result = rs.next() ? rs.getString(1) : "no answer";
        if (!"ok".equals(result)) {
          throw new BackupException(file.getFileName() + " holds a damaged database (integrity_check: " + result + "); nothing was changed");
        }
      }
      expect(c, manifest, true, "nothing was changed");
    } catch (SQLException e) {
      throw new BackupException(file.getFileName() + " does not hold a readable SQLite database (" + e.getMessage()
          + "); nothing was changed");
    }
  }

  private static Result pgDump(Vertx vertx, Path file, Manifest manifest, DatabaseUrl target, String schema, boolean force)
      throws IOException, SQLException {
    if (target.kind() != DatabaseUrl.Kind.POSTGRES) {
      throw new BackupException(file.getFileName() + " is a pg_dump archive and restores into PostgreSQL only");
    }
    Path pgRestore = PgTools.find("pg_restore");
    if (pgRestore == null) {
      throw new BackupException("pg_restore is not on PATH; install the PostgreSQL client tools (Debian: postgresql-client)"
          + " of the server's major version or newer");
    }
    PgTools.Target tool = PgTools.target(target);
    String toc = PgTools.run(List.of(pgRestore.toString(), "--list", file.toString()), tool.env(),
        "reading " + file.getFileName() + " (pg_restore --list)");
    try (Connection c = Jdbc.connect(target, schema)) {
      String into = schema != null ? schema : c.getSchema();
      if (!manifest.schema().equals(into)) {
        throw new BackupException(file.getFileName() + " holds schema '" + manifest.schema() + "' and pg_restore restores into that"
            + " schema only, not '" + into + "'; use a database where it is free, or restore an export instead");
      }
      refuseUnlessEmpty(c, target, force);
      try (PreparedStatement ps = c.prepareStatement("CREATE SCHEMA IF NOT EXISTS " + PgTools.exactName(into))) {
        ps.execute();
      }
    }
    // the schema itself exists now (public always does): restore what is in it, not the schema entry, which
    // --clean would drop (failing for public, which holds other objects) and then fail to create
    String objects = toc.lines().filter(l -> !l.matches("\\d+; \\d+ \\d+ (SCHEMA - |COMMENT - SCHEMA ).*"))
        .collect(Collectors.joining("\n", "", "\n"));
    Path list = Files.createTempFile("chatroom-restore-", ".list");
    try {
      Files.writeString(list, objects, StandardCharsets.UTF_8);
      List<String> command = new ArrayList<>(List.of(pgRestore.toString(), "--clean", "--if-exists", "--single-transaction",
          "--no-owner", "--no-privileges", "--use-list=" + list));
      command.addAll(tool.args());
      command.add(file.toString());
      PgTools.run(command, tool.env(), "pg_restore (rolled back: nothing was changed)");
    } finally {
      Export.deleteQuietly(list);
    }
    try (Connection c = Jdbc.connect(target, schema)) {
      expect(c, manifest, true, "the store was replaced; restore again, or another backup");
    }
    verifyRestored(vertx, target, schema, manifest, null);
    return new Result(manifest.kind(), manifest.counts().toString(), null);
  }

  private static Result export(Vertx vertx, Path file, DatabaseUrl target, String schema, boolean force) throws IOException {
    Manifest manifest = Files.isRegularFile(BackupName.manifestOf(file)) ? Manifest.read(file) : null;
    Export.Summary summary = Import.run(vertx, file, target, schema, force);
    if (manifest != null && (!manifest.counts().equals(summary.counts()) || !manifest.messagesSha256().equals(summary.messagesSha256()))) {
      throw new BackupException("restored " + file.getFileName() + ", but its manifest records " + manifest.counts()
          + " and the export " + summary.counts() + "; check the backup");
    }
    return new Result(BackupName.Kind.EXPORT.label(), summary.counts().toString(), null);
  }

  private static void refuseUnlessEmpty(DatabaseUrl target, String schema, boolean force) throws SQLException {
    if (!force) {
      try (Connection c = Jdbc.connect(target, schema)) {
        refuseUnlessEmpty(c, target, false);
      }
    }
  }

  private static void refuseUnlessEmpty(Connection c, DatabaseUrl target, boolean force) throws SQLException {
    if (!force && !Counts.isEmpty(c)) {
      throw new BackupException(target.display() + " is not empty (" + Counts.of(c) + "); restore --force replaces it");
    }
  }

  /** A hard link where the file system allows one (instant, no extra space), a copy otherwise. */
  private static void keepCopy(Path db, Path copy) throws IOException {
    try {
      Files.createLink(copy, db);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(db, copy);
    }
  }

  /**
   * Opens the restored store as the server would (migrating it), and checks it answers and still holds the
   * backup's messages. When no migration ran, every count must equal the manifest's too; a migration may
   * seed rows of its own.
   */
  private static void verifyRestored(Vertx vertx, DatabaseUrl target, String schema, Manifest manifest, Path replaced) {
    String after = "the store was replaced" + (replaced == null ? "" : " (the old one is kept as " + replaced + ")");
    try (Database db = Import.open(vertx, target, schema, after)) {
      Import.ping(db);
      db.inTransaction(c -> {
        expect(c, manifest, manifest.schemaVersion().equals(Jdbc.schemaVersion(c)), after);
        return null;
      });
    } catch (BackupException e) {
      throw e;
    } catch (Exception e) {
      throw new BackupException("cannot read the restored store (" + e.getMessage() + "); " + after, e);
    }
  }

  /**
   * Compares a store with the manifest, over the tables and message columns the manifest recorded.
   *
   * @param allCounts every table's count; false: the messages' only
   */
  private static void expect(Connection c, Manifest manifest, boolean allCounts, String consequence) throws SQLException {
    Map<String, Long> recorded = new LinkedHashMap<>(manifest.counts().rows());
    if (!allCounts) {
      recorded.keySet().retainAll(Set.of(ExportFormat.MESSAGES.countKey()));
    }
    Counts counts = Counts.of(c, recorded.keySet());
    if (!counts.rows().equals(recorded)) {
      throw new BackupException("the backup holds " + counts + " but its manifest records " + new Counts(recorded) + "; " + consequence);
    }
    if (!MessageChecksum.of(c, manifest.checksumColumns()).equals(manifest.messagesSha256())) {
      throw new BackupException("the backup's messages do not match the checksum its manifest records; " + consequence);
    }
  }
}
