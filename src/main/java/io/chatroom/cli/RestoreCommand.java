package io.chatroom.cli;

import io.chatroom.backup.BackupException;
import io.chatroom.backup.Restore;
import io.chatroom.config.Config;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chatroom restore FILE}: puts a backup back, verified before and after. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore a backup (or an export) into the store. Stop the server first.",
        "Checks FILE against FILE.sha256 first, refuses a store that is not empty unless --force, and reports success"
            + " only when the restored store answers and holds what the backup's manifest records."})
public final class RestoreCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Parameters(paramLabel = "FILE", description = "A backup: .sqlite.gz, .pgdump or .jsonl.gz, with its .sha256 file beside it")
  Path file;

  @Option(names = "--force", description = "Replace a store that is not empty (SQLite keeps the replaced file beside it)")
  boolean force;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config config = store.config();
    Vertx vertx = Vertx.vertx();
    try {
      Restore.Result r = Restore.run(vertx, file.toAbsolutePath(), config.database(), null, force);
      var stdout = spec.commandLine().getOut();
      stdout.println("restored " + file + " into " + config.database().display() + " and verified: " + r.contents());
      if (r.replaced() != null) {
        stdout.println("  the replaced database is kept as " + r.replaced() + "; delete it once you are satisfied");
      }
      return 0;
    } catch (BackupException e) {
      spec.commandLine().getErr().println("chatroom: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
