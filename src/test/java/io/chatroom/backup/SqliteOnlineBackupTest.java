package io.chatroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.testing.Cli;
import io.chatroom.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The online backup on SQLite, through the command line as an operator runs it. */
class SqliteOnlineBackupTest extends OnlineBackupContract {
  @Override
  TestDatabases.Kind kind() {
    return TestDatabases.Kind.SQLITE;
  }

  @Override
  Path backup(TestDatabases.Isolated live, Path backups) throws Exception {
    Cli.Result backup = Cli.run("backup", "--database-url", live.url().display(), "--out", backups.toString());
    assertThat(backup.code()).as("backup said: %s %s", backup.out(), backup.err()).isEqualTo(0);
    Path file = Path.of(backup.out().lines().findFirst().orElseThrow());
    assertThat(file.getFileName().toString()).matches("chatroom-\\d{8}T\\d{6}Z\\.sqlite\\.gz");
    assertThat(BackupName.checksumOf(file)).exists();
    if (PgTools.find("sha256sum") != null) {
      Process check = new ProcessBuilder("sha256sum", "-c", BackupName.checksumOf(file).getFileName().toString())
          .directory(backups.toFile()).redirectErrorStream(true).start();
      String said = new String(check.getInputStream().readAllBytes());
      assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(check.exitValue()).as("sha256sum -c says: %s", said).isEqualTo(0);
    }
    return file;
  }

  @Override
  TestDatabases.Isolated restoreIntoFreshStore(Path file, TestDatabases.Isolated live, Path scratch) {
    Cli.Result restore = Cli.run("restore", file.toString(), "--data-dir", scratch.toString());
    assertThat(restore.code()).as("restore said: %s %s", restore.out(), restore.err()).isEqualTo(0);
    assertThat(restore.out()).startsWith("restored " + file + " into sqlite:" + scratch.resolve("chatroom.db") + " and verified: ");
    assertThat(Files.exists(scratch.resolve("chatroom.db"))).isTrue();
    return new TestDatabases.Isolated(DatabaseUrl.sqlite(scratch.resolve("chatroom.db")), null);
  }
}
