package io.chatroom.cli;

import io.chatroom.backup.BackupException;
import io.chatroom.backup.Export;
import io.chatroom.config.Config;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chatroom export}: the portable JSON Lines dump, the way from SQLite to PostgreSQL. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write the whole store as portable, versioned JSON Lines (users with password hashes, rooms, memberships,"
        + " messages, audit events) from one consistent snapshot; safe while the server runs.",
        "Import it with 'chatroom import' into an empty SQLite or PostgreSQL store."})
public final class ExportCommand implements Callable<Integer> {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Mixin
  StoreOptions store;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Where to write; gzipped when the name ends in .gz (default chatroom-export-<UTC time>.jsonl.gz here)")
  Path out;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Config config = store.config();
    Path file = (out != null ? out : Path.of("chatroom-export-" + STAMP.format(Instant.now()) + ".jsonl.gz")).toAbsolutePath();
    try {
      Export.Summary summary = Export.toFile(config.database(), null, file);
      Path sums = Export.writeChecksum(file);
      var stdout = spec.commandLine().getOut();
      stdout.println(file);
      stdout.println("  " + summary.describe());
      if (!summary.leftOut().isEmpty()) {
        spec.commandLine().getErr().println("chatroom: note: left out tables that are not chatroom's: " + String.join(", ", summary.leftOut()));
      }
      stdout.println("  checksum in " + sums.getFileName() + "; import with: chatroom import " + file.getFileName());
      return 0;
    } catch (BackupException e) {
      spec.commandLine().getErr().println("chatroom: " + e.getMessage());
      return 1;
    }
  }
}
