package io.chatroom.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of backup files: {@code chatroom-20261126T043900Z.sqlite.gz}, the UTC time it was taken and its kind,
 * with {@code .sha256} and {@code .manifest.json} beside it. Retention deletes only names of this shape, so a
 * backup dir may hold other files.
 */
final class BackupName {
  /** What a backup file holds, told by its suffix. */
  enum Kind {
    /** A gzipped SQLite database file (VACUUM INTO). */
    SQLITE("sqlite.gz"),
    /** pg_dump's custom format (compressed by pg_dump). */
    PG_DUMP("pgdump"),
    /** The portable JSON Lines export, gzipped. */
    EXPORT("jsonl.gz");

    final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String CHECKSUM = ".sha256";
  static final String MANIFEST = ".manifest.json";
  static final String PARTIAL = ".partial";
  static final String SNAPSHOT = ".snapshot";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** A backup, a companion, or what a crashed run left (.partial, .snapshot); group 1 is the backup's own name. */
  private static final Pattern OURS = Pattern.compile(
      "(chatroom-\\d{8}T\\d{6}Z(?:-\\d+)?\\.(?:sqlite\\.gz|pgdump|jsonl\\.gz))(\\.sha256|\\.manifest\\.json|\\.snapshot)?(\\.partial)?");

  private BackupName() {}

  /** A name for a backup taken at {@code now} that no file in {@code dir} has yet (two in one second get -1, -2...). */
  static Path next(Path dir, Kind kind, Instant now) {
    String stamp = "chatroom-" + STAMP.format(now);
    Path candidate = dir.resolve(stamp + "." + kind.suffix);
    for (int n = 1; taken(candidate); n++) {
      candidate = dir.resolve(stamp + "-" + n + "." + kind.suffix);
    }
    return candidate;
  }

  private static boolean taken(Path backup) {
    return Files.exists(backup) || Files.exists(partialOf(backup)) || Files.exists(snapshotOf(backup))
        || Files.exists(checksumOf(backup)) || Files.exists(manifestOf(backup));
  }

  static Path checksumOf(Path backup) {
    return backup.resolveSibling(backup.getFileName() + CHECKSUM);
  }

  static Path manifestOf(Path backup) {
    return backup.resolveSibling(backup.getFileName() + MANIFEST);
  }

  static Path partialOf(Path file) {
    return file.resolveSibling(file.getFileName() + PARTIAL);
  }

  /** Where an SQLite snapshot is taken before it is compressed into {@code backup}. */
  static Path snapshotOf(Path backup) {
    return backup.resolveSibling(backup.getFileName() + SNAPSHOT);
  }

  /** The backup a file of ours belongs to (itself for a backup), or null for a file that is not ours. */
  static String backupOf(String fileName) {
    Matcher m = OURS.matcher(fileName);
    return m.matches() ? m.group(1) : null;
  }

  /**
   * The kind of any backup or export file, by its suffix; restore takes renamed files too.
   *
   * @throws BackupException for a suffix that is none of ours
   */
  static Kind kindOf(Path file) {
    String name = file.getFileName().toString();
    for (Kind kind : Kind.values()) {
      if (name.endsWith("." + kind.suffix)) {
        return kind;
      }
    }
    if (name.endsWith(".jsonl")) {
      return Kind.EXPORT;
    }
    throw new BackupException(file + " is not a backup: expected a name ending in .sqlite.gz, .pgdump, .jsonl.gz or .jsonl");
  }
}
