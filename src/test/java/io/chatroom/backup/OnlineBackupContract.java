package io.chatroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup taken while a real server commits a steady stream of sends holds every message acknowledged before
 * the backup began, each with its seq, and is one consistent snapshot; run on SQLite and on PostgreSQL.
 */
abstract class OnlineBackupContract {
  static final int SENDERS = 10;

  @TempDir
  Path dir;

  abstract TestDatabases.Kind kind();

  /** Takes a backup of the live store into {@code backups} and returns its file. */
  abstract Path backup(TestDatabases.Isolated live, Path backups) throws Exception;

  /** Restores {@code file} into a store that did not exist before and returns where it is. */
  abstract TestDatabases.Isolated restoreIntoFreshStore(Path file, TestDatabases.Isolated live, Path scratch) throws Exception;

  @Test
  void backupWhileTenClientsSendHoldsEveryMessageAckedBeforeItStarted() throws Exception {
    Path liveDir = dir.resolve("live");
    java.nio.file.Files.createDirectories(liveDir);
    TestDatabases.Isolated live = TestDatabases.create(kind(), liveDir);
    List<Traffic.Ack> before;
    Path file;
    try (TestServer server = TestServer.start(liveDir, live); Traffic traffic = Traffic.start(server, SENDERS, "general")) {
      traffic.awaitAcks(300);
      before = traffic.acked();
      long started = System.nanoTime();
      file = backup(live, dir.resolve("backups"));
      long ended = System.nanoTime();
      int afterBackup = traffic.acked().size();
      long meanwhile = traffic.acked().stream().filter(a -> a.ackedAt() > started && a.ackedAt() < ended).count();
      System.out.printf("backup took %d ms; %d sends were acked meanwhile%n", (ended - started) / 1_000_000, meanwhile);
      assertThat(meanwhile).as("sends committed while the backup ran (it must not hold writers up)").isPositive();
      traffic.awaitAcks(afterBackup + 100);
    }
    assertThat(before).hasSizeGreaterThanOrEqualTo(300);

    TestDatabases.Isolated restored = restoreIntoFreshStore(file, live, dir.resolve("restored"));
    Map<String, List<Object>> byClientMsgId = new HashMap<>();
    for (List<Object> row : StoreRows.query(restored.url(), restored.schema(),
        "SELECT m.client_msg_id, m.seq, m.body FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.name = 'general'")) {
      byClientMsgId.put((String) row.get(0), row);
    }
    for (Traffic.Ack ack : before) {
      assertThat(byClientMsgId.get(ack.clientMsgId())).as("acked before the backup: %s", ack.clientMsgId())
          .containsExactly(ack.clientMsgId(), ack.seq(), ack.text());
    }
    // one snapshot: the room's last seq and its messages agree, with no gap (a torn copy would show either)
    List<Object> room = StoreRows.query(restored.url(), restored.schema(),
        "SELECT r.last_seq, COUNT(m.seq), MIN(m.seq), MAX(m.seq) FROM rooms r JOIN messages m ON m.room_id = r.id"
            + " WHERE r.name = 'general' GROUP BY r.last_seq").get(0);
    long lastSeq = (Long) room.get(0);
    assertThat(room).containsExactly(lastSeq, lastSeq, 1L, lastSeq);
    assertThat(lastSeq).isGreaterThanOrEqualTo(before.size());
  }
}
