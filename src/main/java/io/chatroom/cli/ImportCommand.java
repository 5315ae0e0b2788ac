package io.chatroom.cli;

import io.chatroom.backup.BackupException;
import io.chatroom.backup.Export;
import io.chatroom.backup.Import;
import io.chatroom.config.Config;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chatroom import FILE}: loads an export into an empty store, keeping every id and seq. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Load an export into an empty store (no servers running on it), in one transaction that is verified"
        + " (counts and message checksum) before it commits.",
        "Moving from SQLite to PostgreSQL: export from SQLite, import with --database-url postgresql://..."})
public final class ImportCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Parameters(paramLabel = "FILE", description = "An export (.jsonl or .jsonl.gz); a FILE.sha256 beside it is checked too")
  Path file;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config config = store.config();
    Vertx vertx = Vertx.vertx();
    try {
      Export.Summary summary = Import.run(vertx, file.toAbsolutePath(), config.database(), null, false);
      spec.commandLine().getOut().println("imported " + file + " into " + config.database().display() + " and verified: "
          + summary.describe());
      return 0;
    } catch (BackupException e) {
      spec.commandLine().getErr().println("chatroom: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
