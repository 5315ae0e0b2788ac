package io.chatroom.cli;

import io.chatroom.backup.Backup;
import io.chatroom.backup.BackupException;
import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chatroom backup}: a consistent backup of the store, safe while the server runs. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Back up the store while the server runs: one consistent snapshot, compressed, with a .sha256 checksum"
        + " file and a manifest of what it holds. Then delete this dir's backups older than --keep-days.",
        "SQLite: VACUUM INTO. PostgreSQL: pg_dump --format=custom if pg_dump is on PATH, else the portable export."})
public final class BackupCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write the backup (env BACKUP_DIR, default <data dir>/backups)")
  Path out;

  @Option(names = "--keep-days", paramLabel = "N", description = "Delete backups in DIR older than N days (env BACKUP_KEEP_DAYS, default 7)")
  Integer keepDays;

  @Option(names = "--portable", description = "On PostgreSQL, write the JSON Lines export even when pg_dump is available")
  boolean portable;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Config config = store.config();
    if (keepDays != null && keepDays < 1) {
      throw new ConfigException("--keep-days", keepDays + " is not a number of days", "use a whole number from 1, e.g. 7");
    }
    Path dir = out != null ? out.toAbsolutePath().normalize() : config.backups().dir();
    int keep = keepDays != null ? keepDays : config.backups().keepDays();
    try {
      Backup.Result r = Backup.take(config.database(), null, dir, Duration.ofDays(keep), portable);
      var stdout = spec.commandLine().getOut();
      stdout.println(r.file());
      stdout.printf("  %s backup of %s: %s%n", r.kind(), config.database().display(), r.contents());
      stdout.printf("  %,d bytes in %.1f s; checksum in %s.sha256%n", r.bytes(), r.took().toMillis() / 1000.0, r.file().getFileName());
      if (!r.deleted().isEmpty()) {
        stdout.printf("  deleted %d files of backups older than %d days%n", r.deleted().size(), keep);
      }
      return 0;
    } catch (BackupException e) {
      spec.commandLine().getErr().println("chatroom: " + e.getMessage());
      return 1;
    }
  }
}
