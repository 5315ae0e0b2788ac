package io.chatroom.backup;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore that cannot be trusted changes nothing: damaged, truncated or unverified backups are refused with
 * one clear line and the target database stays byte for byte as it was; a store with content needs --force.
 */
class RestoreRefusalTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private Path backup;
  private DatabaseUrl target;
  private Path targetFile;

  @BeforeEach
  void backupOfOneStoreAndAnotherStoreWithContent() throws Exception {
    vertx = Vertx.vertx();
    DatabaseUrl source = DatabaseUrl.sqlite(dir.resolve("source/chatroom.db"));
    Fixtures.populate(source, null, "alice", 500);
    backup = Backup.take(source, null, dir.resolve("backups"), Duration.ofDays(7), false).file();
    targetFile = dir.resolve("target/chatroom.db");
    target = DatabaseUrl.sqlite(targetFile);
    Fixtures.populate(target, null, "bob", 20);
  }

  @AfterEach
  void closeVertx() throws Exception {
    await(vertx.close());
  }

  @Test
  void flippedBytesFailTheChecksumAndChangeNothing() throws Exception {
    byte[] before = Files.readAllBytes(targetFile);
    flipBytes(backup);
    assertRefused(true, "checksum mismatch for " + backup.getFileName() + ": the file is corrupt or was changed since the backup");
    assertThat(Files.readAllBytes(targetFile)).isEqualTo(before);
  }

  @Test
  void flippedBytesUnderAFreshChecksumAreCaughtWhenReadAndChangeNothing() throws Exception {
    byte[] before = Files.readAllBytes(targetFile);
    flipBytes(backup);
    Checksums.write(List.of(backup, BackupName.manifestOf(backup)));
    assertRefused(true, backup.getFileName() + " is corrupt or truncated");
    assertThat(Files.readAllBytes(targetFile)).isEqualTo(before);
    assertThat(filesBesideTarget()).containsExactly("chatroom.db");
  }

  @Test
  void aTruncatedBackupIsRefusedAndChangesNothing() throws Exception {
    byte[] before = Files.readAllBytes(targetFile);
    byte[] whole = Files.readAllBytes(backup);
    Files.write(backup, java.util.Arrays.copyOf(whole, whole.length / 2));
    Checksums.write(List.of(backup, BackupName.manifestOf(backup)));
    assertRefused(true, backup.getFileName() + " is corrupt or truncated");
    assertThat(Files.readAllBytes(targetFile)).isEqualTo(before);
    assertThat(filesBesideTarget()).containsExactly("chatroom.db");
  }

  @Test
  void aBackupThatIsNoDatabaseIsRefusedAndChangesNothing() throws Exception {
    byte[] before = Files.readAllBytes(targetFile);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(backup))) {
      out.write("this is not an SQLite database, but it is long enough to look like one's header".repeat(100).getBytes());
    }
    Checksums.write(List.of(backup, BackupName.manifestOf(backup)));
    assertRefused(true, backup.getFileName() + " does not hold a readable SQLite database");
    assertThat(Files.readAllBytes(targetFile)).isEqualTo(before);
  }

  @Test
  void aMissingChecksumFileRefuses() throws Exception {
    byte[] before = Files.readAllBytes(targetFile);
    Files.delete(BackupName.checksumOf(backup));
    assertRefused(true, "no checksum file " + backup.getFileName() + ".sha256 next to " + backup.getFileName());
    assertThat(Files.readAllBytes(targetFile)).isEqualTo(before);
  }

  @Test
  void aManifestThatWasChangedFailsTheChecksum() throws Exception {
    Path manifest = BackupName.manifestOf(backup);
    Files.writeString(manifest, Files.readString(manifest).replace("\"messages\" : 500", "\"messages\" : 499"));
    assertRefused(true, "checksum mismatch for " + manifest.getFileName());
  }

  @Test
  void aStoreWithContentIsReplacedOnlyWithForceAndKeptBeside() throws Exception {
    byte[] before = Files.readAllBytes(targetFile);
    assertRefused(false, target.display() + " is not empty (3 users, 2 rooms, 1 memberships, 20 messages, 0 audit events, 0 deleted rooms);"
        + " restore --force replaces it");
    assertThat(Files.readAllBytes(targetFile)).isEqualTo(before);

    Restore.Result r = Restore.run(vertx, backup, target, null, true);
    assertThat(r.contents()).isEqualTo("3 users, 2 rooms, 1 memberships, 500 messages, 0 audit events, 0 deleted rooms");
    assertThat(StoreRows.count(target, null, "SELECT COUNT(*) FROM messages WHERE client_msg_id LIKE 'alice-%'")).isEqualTo(500);
    assertThat(StoreRows.count(target, null, "SELECT COUNT(*) FROM users WHERE username = 'bob'")).isZero();
    assertThat(r.replaced()).isNotNull();
    assertThat(Files.readAllBytes(r.replaced())).isEqualTo(before);
  }

  @Test
  void aStoreInUseByARunningServerIsNotReplaced() throws Exception {
    try (TestServer server = TestServer.start(targetFile.getParent(), new TestDatabases.Isolated(target, null))) {
      assertThat(server.port()).isPositive();
      assertThatThrownBy(() -> Restore.run(vertx, backup, target, null, true)).isInstanceOf(BackupException.class)
          .hasMessage(targetFile + " is in use (is a server running on it?); stop it first; nothing was changed");
      assertThat(StoreRows.count(target, null, "SELECT COUNT(*) FROM users WHERE username = 'bob'")).isEqualTo(1);
    }
  }

  private void assertRefused(boolean force, String messageStart) {
    assertThatThrownBy(() -> Restore.run(vertx, backup, target, null, force))
        .isInstanceOf(BackupException.class)
        .hasMessageStartingWith(messageStart)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private List<String> filesBesideTarget() throws IOException {
    try (Stream<Path> files = Files.list(targetFile.getParent())) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void flipBytes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = bytes.length / 3; i < bytes.length / 3 + 16; i++) {
      bytes[i] ^= (byte) 0xff;
    }
    Files.write(file, bytes);
  }
}
