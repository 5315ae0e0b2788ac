package io.chatroom.cli;

import io.chatroom.config.Config;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom migrate}: applies the schema migrations this jar has and prints the schema version, and
 * nothing else, so a deploy pipeline can migrate once before it rolls the nodes (which migrate at start too,
 * finding nothing left to do).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply pending schema migrations and print the schema version.")
public final class MigrateCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Config config = store.config();
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, config.database(), null)) {
      spec.commandLine().getOut().println(db.schemaVersion());
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      vertx.close();
    }
  }
}
