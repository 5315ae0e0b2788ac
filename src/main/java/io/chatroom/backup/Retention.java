package io.chatroom.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deletes old backups. A backup's age is the modification time of its file; its checksum and manifest go
 * with it. Files whose names are not ours are never touched, whatever their age.
 */
final class Retention {
  private Retention() {}

  /**
   * Deletes from {@code dir} every backup (with its companions) last modified more than {@code keep} before
   * {@code now}, except {@code spare} (the backup just taken, whatever the clocks say).
   *
   * @return the files deleted, in name order
   */
  static List<Path> apply(Path dir, Duration keep, Instant now, Path spare) throws IOException {
    Instant cutoff = now.minus(keep);
    String spared = spare == null ? null : spare.getFileName().toString();
    Map<String, List<Path>> byBackup = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String backup = BackupName.backupOf(file.getFileName().toString());
        if (backup != null && !backup.equals(spared) && Files.isRegularFile(file)) {
          byBackup.computeIfAbsent(backup, k -> new ArrayList<>()).add(file);
        }
      }
    }
    List<Path> deleted = new ArrayList<>();
    for (Map.Entry<String, List<Path>> entry : byBackup.entrySet()) {
      if (lastModified(dir.resolve(entry.getKey()), entry.getValue()).isBefore(cutoff)) {
        for (Path file : entry.getValue()) {
          Files.deleteIfExists(file);
          deleted.add(file);
        }
      }
    }
    deleted.sort(null);
    return deleted;
  }

  /** The backup file's time; for companions left without it, the newest of them. */
  private static Instant lastModified(Path backup, List<Path> group) {
    try {
      if (Files.isRegularFile(backup)) {
        return Files.getLastModifiedTime(backup).toInstant();
      }
      Instant newest = Instant.EPOCH;
      for (Path file : group) {
        Instant t = Files.getLastModifiedTime(file).toInstant();
        newest = t.isAfter(newest) ? t : newest;
      }
      return newest;
    } catch (IOException e) {
      return Instant.MAX; // cannot tell its age: keep it
    }
  }
}
