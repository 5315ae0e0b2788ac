package io.chatroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Old backups go, with their checksum and manifest; new ones and files that are not ours stay, whatever their age. */
class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-11-26T04:39:00Z");

  @TempDir
  Path dir;

  @Test
  void deletesOnlyOurBackupsOlderThanTheLimit() throws Exception {
    List<String> old = List.of(
        "chatroom-20261110T000000Z.sqlite.gz", "chatroom-20261110T000000Z.sqlite.gz.sha256",
        "chatroom-20261110T000000Z.sqlite.gz.manifest.json",
        "chatroom-20261111T000000Z-1.pgdump", "chatroom-20261111T000000Z-1.pgdump.sha256",
        "chatroom-20261112T000000Z.jsonl.gz", "chatroom-20261112T000000Z.jsonl.gz.partial",
        "chatroom-20261113T000000Z.sqlite.gz.snapshot");
    List<String> recent = List.of(
        "chatroom-20261125T000000Z.sqlite.gz", "chatroom-20261125T000000Z.sqlite.gz.sha256",
        "chatroom-20261125T000000Z.sqlite.gz.manifest.json");
    List<String> notOurs = List.of(
        "notes.txt", "chatroom.db", "chatroom-export-20261101T000000Z.jsonl.gz", "chatroom-2026.sqlite.gz",
        "other-20261101T000000Z.sqlite.gz", "chatroom-20261101T000000Z.sqlite.gz.bak", "chatroom-20261101T000000Z.tar");
    for (String name : old) {
      create(name, NOW.minus(Duration.ofDays(8)));
    }
    for (String name : recent) {
      create(name, NOW.minus(Duration.ofDays(6)));
    }
    for (String name : notOurs) {
      create(name, NOW.minus(Duration.ofDays(400)));
    }
    // a backup just under the limit stays, its checksum file (a second older) goes with it, not before it
    create("chatroom-20261119T043901Z.sqlite.gz", NOW.minus(Duration.ofDays(7)).plusSeconds(1));
    create("chatroom-20261119T043901Z.sqlite.gz.sha256", NOW.minus(Duration.ofDays(7)).minusSeconds(1));

    List<Path> deleted = Retention.apply(dir, Duration.ofDays(7), NOW, null);

    assertThat(deleted).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrderElementsOf(old);
    assertThat(names()).containsExactlyInAnyOrderElementsOf(Stream.of(recent, notOurs,
        List.of("chatroom-20261119T043901Z.sqlite.gz", "chatroom-20261119T043901Z.sqlite.gz.sha256")).flatMap(List::stream).toList());
  }

  @Test
  void neverDeletesTheBackupJustTaken() throws Exception {
    create("chatroom-20261126T043900Z.sqlite.gz", NOW.minus(Duration.ofDays(30)));
    create("chatroom-20261126T043900Z.sqlite.gz.sha256", NOW.minus(Duration.ofDays(30)));
    create("chatroom-20261001T000000Z.sqlite.gz", NOW.minus(Duration.ofDays(30)));
    List<Path> deleted = Retention.apply(dir, Duration.ofDays(7), NOW, dir.resolve("chatroom-20261126T043900Z.sqlite.gz"));
    assertThat(deleted).containsExactly(dir.resolve("chatroom-20261001T000000Z.sqlite.gz"));
    assertThat(names()).containsExactlyInAnyOrder("chatroom-20261126T043900Z.sqlite.gz", "chatroom-20261126T043900Z.sqlite.gz.sha256");
  }

  @Test
  void aBackupAppliesTheRetentionToItsDir() throws Exception {
    DatabaseUrl source = DatabaseUrl.sqlite(dir.resolve("store/chatroom.db"));
    Fixtures.populate(source, null, "alice", 3);
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Instant longAgo = Instant.now().minus(Duration.ofDays(3));
    Path older = backups.resolve("chatroom-20200101T000000Z.sqlite.gz");
    Files.writeString(older, "old");
    Files.setLastModifiedTime(older, FileTime.from(longAgo));
    Path foreign = backups.resolve("keep-me.txt");
    Files.writeString(foreign, "mine");
    Files.setLastModifiedTime(foreign, FileTime.from(longAgo));

    Backup.Result kept = Backup.take(source, null, backups, Duration.ofDays(7), false);
    assertThat(kept.deleted()).isEmpty();
    Backup.Result r = Backup.take(source, null, backups, Duration.ofDays(2), false);

    assertThat(r.deleted()).containsExactly(older);
    assertThat(backups.resolve("keep-me.txt")).exists();
    assertThat(kept.file()).exists();
    assertThat(r.file()).exists();
    assertThat(r.file()).isNotEqualTo(kept.file());
  }

  private void create(String name, Instant modified) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, name);
    Files.setLastModifiedTime(file, FileTime.from(modified));
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
