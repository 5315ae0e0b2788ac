package io.chatroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.store.Database;
import io.chatroom.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chatroom migrate} prints the schema version and nothing else, for deploy pipelines. */
class MigrateCommandTest {
  @TempDir
  Path dataDir;

  @Test
  void migratesAnEmptyStoreAndPrintsOnlyTheVersion() {
    DatabaseUrl url = DatabaseUrl.sqlite(dataDir.resolve("chatroom.db"));
    Cli.Result first = Cli.run("migrate", "--data-dir", dataDir.toString());
    assertThat(first.code()).as(first.err()).isEqualTo(0);
    Database.SchemaStatus status = Database.inspect(url, null);
    assertThat(status.pending()).isZero();
    assertThat(first.out()).isEqualTo(status.latest() + System.lineSeparator());

    Cli.Result again = Cli.run("migrate", "--data-dir", dataDir.toString());
    assertThat(again.out()).as("nothing left to do: the same version").isEqualTo(first.out());
  }

  @Test
  void anUnreachableDatabaseIsAConfigurationError() {
    Cli.Result run = Cli.run("migrate", "--data-dir", dataDir.toString(), "--database-url", "postgresql://nobody@127.0.0.1:1/none");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("DATABASE_URL (--database-url)").contains("cannot connect");
  }
}
