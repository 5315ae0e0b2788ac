package io.chatroom.backup;

import io.chatroom.config.DatabaseUrl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Consistent online backups, taken while the server runs and commits. Each is one snapshot of the store:
 * every message acknowledged before the backup began is in it, with its seq.
 *
 * <ul>
 *   <li>SQLite: {@code VACUUM INTO} a snapshot file (a read transaction: writers go on in WAL mode), gzipped.
 *   <li>PostgreSQL: {@code pg_dump --format=custom} of the store's schema when pg_dump is on PATH, otherwise
 *       (or when asked to be portable) the JSON Lines {@link Export}, gzipped. The counts and message checksum
 *       in the manifest are read in a transaction whose snapshot pg_dump shares ({@code --snapshot}).
 * </ul>
 *
 * <p>Beside each backup lie {@code <name>.manifest.json} and {@code <name>.sha256} (written last: a backup
 * with a checksum file is complete). After a successful backup, older ones are deleted by {@link Retention}.
 * Blocking: call from a worker thread or the command line.
 */
public final class Backup {
  private Backup() {}

  /**
   * A backup taken.
   *
   * @param kind     {@code sqlite}, {@code pg_dump} or {@code export}
   * @param contents its row counts, for people
   * @param deleted  older backup files retention removed
   */
  public record Result(Path file, String kind, long bytes, Duration took, String contents, List<Path> deleted) {}

  /**
   * Backs up the store at {@code url} into {@code dir} (created if missing), then deletes backups there
   * older than {@code keep}.
   *
   * @param schema   the PostgreSQL schema; null for the connection's default ({@code public})
   * @param portable on PostgreSQL, write the JSON Lines export even when pg_dump is available
   * @throws BackupException when the backup fails; no partial file is left behind, no old backup deleted
   */
  public static Result take(DatabaseUrl url, String schema, Path dir, Duration keep, boolean portable) {
    long start = System.nanoTime();
    Instant now = Instant.now();
    BackupName.Kind kind = url.kind() == DatabaseUrl.Kind.SQLITE ? BackupName.Kind.SQLITE
        : !portable && PgTools.find("pg_dump") != null ? BackupName.Kind.PG_DUMP : BackupName.Kind.EXPORT;
    Path file;
    try {
      Files.createDirectories(dir);
      file = BackupName.next(dir, kind, now);
    } catch (IOException e) {
      throw new BackupException("cannot write backups to " + dir + " (" + e + "); point --out or BACKUP_DIR at a writable directory");
    }
    Manifest manifest;
    List<String> leftOut = new ArrayList<>();
    try {
      manifest = switch (kind) {
        case SQLITE -> sqlite(url, file, now);
        case PG_DUMP -> pgDump(url, schema, file, now);
        case EXPORT -> export(url, schema, file, now, leftOut);
      };
      Checksums.write(List.of(file, manifest.write(file)));
    } catch (IOException | SQLException e) {
      discard(file);
      throw new BackupException("backup of " + url.display() + " failed (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      discard(file);
      throw e;
    }
    List<Path> deleted;
    try {
      deleted = Retention.apply(dir, keep, now, file);
    } catch (IOException e) {
      throw new BackupException("backup " + file + " written, but old backups could not be deleted (" + e + ")", e);
    }
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (IOException e) {
      bytes = -1;
    }
    String contents = manifest.counts() + (leftOut.isEmpty() ? "" : "; left out, not chatroom's: " + String.join(", ", leftOut));
    return new Result(file, kind.label(), bytes, Duration.ofNanos(System.nanoTime() - start), contents, deleted);
  }

  private static Manifest sqlite(DatabaseUrl url, Path file, Instant now) throws IOException, SQLException {
    Path snapshot = BackupName.snapshotOf(file);
    try {
      try (Connection c = Jdbc.open(url, null); PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
        ps.setString(1, snapshot.toString());
        ps.execute();
      }
      Manifest manifest;
      try (Connection s = Jdbc.open(DatabaseUrl.sqlite(snapshot), null)) {
        manifest = describe(s, BackupName.Kind.SQLITE, now, url, null);
      }
      Path partial = BackupName.partialOf(file);
      try (InputStream in = Files.newInputStream(snapshot);
          OutputStream out = new GZIPOutputStream(Files.newOutputStream(partial), 1 << 16)) {
        in.transferTo(out);
      }
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      return manifest;
    } finally {
      for (String suffix : new String[] {"", "-journal", "-wal", "-shm"}) {
        Export.deleteQuietly(snapshot.resolveSibling(snapshot.getFileName() + suffix));
      }
    }
  }

  private static Manifest pgDump(DatabaseUrl url, String schema, Path file, Instant now) throws IOException, SQLException {
    Path partial = BackupName.partialOf(file);
    try (Connection c = Jdbc.open(url, schema)) {
      Jdbc.beginSnapshot(c, url);
      try {
        String snapshotId;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_export_snapshot()"); ResultSet rs = ps.executeQuery()) {
          rs.next();
          snapshotId = rs.getString(1);
        }
        String dumped = c.getSchema();
        Manifest manifest = describe(c, BackupName.Kind.PG_DUMP, now, url, dumped);
        PgTools.Target target = PgTools.target(url);
        List<String> command = new ArrayList<>(List.of(PgTools.find("pg_dump").toString(), "--format=custom", "--no-owner",
            "--no-privileges", "--schema=" + PgTools.exactName(dumped), "--snapshot=" + snapshotId, "--file=" + partial));
        command.addAll(target.args());
        PgTools.run(command, target.env(), "pg_dump");
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return manifest;
      } finally {
        c.rollback(); // the snapshot had to stay open until pg_dump was done with it
      }
    }
  }

  /**
   * The manifest of a store as {@code c} sees it: counts of the format's tables it has and the checksum over
   * the message columns it has, so a store an older version left (not migrated yet) is backed up too.
   */
  private static Manifest describe(Connection c, BackupName.Kind kind, Instant now, DatabaseUrl url, String schema)
      throws SQLException {
    if (!Jdbc.hasTable(c, ExportFormat.MESSAGES.name())) {
      throw new BackupException(url.display() + " has no chatroom tables; nothing to back up");
    }
    List<String> columns = MessageChecksum.present(c);
    return new Manifest(kind.label(), now, url.display(), schema, Jdbc.schemaVersion(c), Counts.of(c, Counts.present(c)),
        MessageChecksum.of(c, columns), columns);
  }

  /** An export imports into any schema, so its manifest names none. */
  private static Manifest export(DatabaseUrl url, String schema, Path file, Instant now, List<String> leftOut) {
    Export.Summary summary = Export.toFile(url, schema, file);
    leftOut.addAll(summary.leftOut());
    return new Manifest(BackupName.Kind.EXPORT.label(), now, url.display(), null, summary.schemaVersion(), summary.counts(),
        summary.messagesSha256(), MessageChecksum.columns());
  }

  private static void discard(Path file) {
    for (Path p : List.of(file, BackupName.partialOf(file), BackupName.manifestOf(file), BackupName.checksumOf(file))) {
      Export.deleteQuietly(p);
    }
  }
}
