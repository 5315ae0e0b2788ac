package io.chatroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four commands as an operator meets them: what they print, and exit codes 0, 1 (refused) and 2 (bad flags). */
class BackupCliTest {
  @TempDir
  Path dir;

  @Test
  void exportThenImportIntoANewDataDirIsVerifiedAndASecondImportIsRefused() throws Exception {
    Fixtures.populate(DatabaseUrl.sqlite(dir.resolve("old/chatroom.db")), null, "alice", 25);
    Path file = dir.resolve("move.jsonl.gz");

    Cli.Result export = Cli.run("export", "--data-dir", dir.resolve("old").toString(), "--out", file.toString());
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(export.out()).startsWith(file + "\n  3 users, 2 rooms, 1 memberships, 25 messages, 0 audit events, 0 deleted rooms;"
        + " messages sha256 ");
    assertThat(BackupName.checksumOf(file)).exists();

    Cli.Result imported = Cli.run("import", file.toString(), "--data-dir", dir.resolve("new").toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out()).startsWith("imported " + file + " into sqlite:" + dir.resolve("new/chatroom.db") + " and verified: "
        + "3 users, 2 rooms, 1 memberships, 25 messages");

    Cli.Result again = Cli.run("import", file.toString(), "--data-dir", dir.resolve("new").toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).startsWith("chatroom: the target store is not empty (3 users, 2 rooms, 1 memberships, 25 messages,")
        .hasLineCount(1);
  }

  @Test
  void aBackupWithoutItsChecksumFileIsRefusedInOneLine() throws Exception {
    Fixtures.populate(DatabaseUrl.sqlite(dir.resolve("data/chatroom.db")), null, "alice", 3);
    Cli.Result backup = Cli.run("backup", "--data-dir", dir.resolve("data").toString());
    assertThat(backup.code()).as(backup.err()).isZero();
    Path file = Path.of(backup.out().lines().findFirst().orElseThrow());
    assertThat(file.getParent()).isEqualTo(dir.resolve("data/backups"));
    Files.delete(BackupName.checksumOf(file));

    Cli.Result restore = Cli.run("restore", file.toString(), "--data-dir", dir.resolve("fresh").toString());
    assertThat(restore.code()).isEqualTo(1);
    assertThat(restore.err()).isEqualTo("chatroom: no checksum file " + file.getFileName() + ".sha256 next to " + file.getFileName()
        + "; refusing an unverified backup (copy the .sha256 file along with the backup)\n");
    assertThat(dir.resolve("fresh/chatroom.db")).doesNotExist();
  }

  @Test
  void aBadKeepDaysIsAConfigurationError() {
    Cli.Result r = Cli.run("backup", "--data-dir", dir.toString(), "--keep-days", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("chatroom: --keep-days: 0 is not a number of days; use a whole number from 1, e.g. 7\n");
  }
}
