package io.chatroom.message;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;

import io.chatroom.observability.Metrics;
import io.chatroom.store.Database;
import io.opentelemetry.api.OpenTelemetry;
import io.chatroom.testing.TestDatabases;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seq assignment and idempotency at the store, run on SQLite and on PostgreSQL by the subclasses. */
abstract class MessageStoreContract {
  @TempDir
  Path dir;
  Vertx vertx;
  Database db;
  MessageStore store;
  long general;
  long other;
  long alice;
  long bob;

  abstract TestDatabases.Kind kind();

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    TestDatabases.Isolated isolated = TestDatabases.create(kind(), dir);
    db = Database.open(vertx, isolated.url(), isolated.schema());
    store = new MessageStore(db.url().kind());
    db.inTransaction(c -> {
      alice = insert(c, "INSERT INTO users (username, username_key, password_hash, created_at) VALUES ('alice', 'alice', 'x', 0) RETURNING id");
      bob = insert(c, "INSERT INTO users (username, username_key, password_hash, created_at) VALUES ('bob', 'bob', 'x', 0) RETURNING id");
      other = insert(c, "INSERT INTO rooms (name, topic, is_private, last_seq, created_at) VALUES ('other', '', FALSE, 0, 0) RETURNING id");
      general = insert(c, "SELECT id FROM rooms WHERE name = 'general'");
      return null;
    });
  }

  @AfterEach
  void close() {
    db.close();
    vertx.close();
  }

  private static long insert(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  Draft draft(long room, long user, String text, String clientMsgId) {
    return new Draft(room, room == general ? "general" : "other", user, user == alice ? "alice" : "bob", text, clientMsgId);
  }

  List<Appended> append(Draft... drafts) throws Exception {
    return db.inTransaction(c -> store.append(c, List.of(drafts), 1000, ClientMsgIds.immediate()));
  }

  List<Message> page(Long before, Long after, int limit) throws Exception {
    return db.inTransaction(c -> store.page(c, general, "general", before, after, limit));
  }

  long lastSeq() throws Exception {
    return db.inTransaction(c -> store.lastSeq(c, general));
  }

  long rowCount() throws Exception {
    return db.inTransaction(c -> insert(c, "SELECT COUNT(*) FROM messages"));
  }

  @Test
  void seqsStartAtOneAndStayContiguousPerRoomAcrossBatches() throws Exception {
    List<Appended> first = append(draft(general, alice, "a", null), draft(other, alice, "b", null), draft(general, bob, "c", null));
    assertThat(first).extracting(a -> a.message().seq()).containsExactly(1L, 1L, 2L);
    List<Appended> second = append(draft(general, alice, "d", null), draft(other, bob, "e", null));
    assertThat(second).extracting(a -> a.message().seq()).containsExactly(3L, 2L);
    assertThat(lastSeq()).isEqualTo(3);
    assertThat(page(null, null, 10))
        .extracting(Message::text).containsExactly("a", "c", "d");
  }

  @Test
  void repeatedClientMsgIdInOneBatchIsStoredOnce() throws Exception {
    List<Appended> results = append(draft(general, alice, "x", "id-1"), draft(general, alice, "x", "id-1"), draft(general, bob, "y", "id-1"));
    assertThat(results.get(0).duplicate()).isFalse();
    assertThat(results.get(1).duplicate()).isTrue();
    assertThat(results.get(1).message()).isEqualTo(results.get(0).message());
    assertThat(results.get(2).duplicate()).as("another user's id never collides").isFalse();
    assertThat(results.get(2).message().seq()).isEqualTo(2);
    assertThat(rowCount()).isEqualTo(2);
  }

  @Test
  void repeatedClientMsgIdInALaterBatchReturnsTheOriginal() throws Exception {
    Message original = append(draft(general, alice, "x", "id-1")).get(0).message();
    Appended retry = db.inTransaction(c -> store.append(c, List.of(draft(general, alice, "x", "id-1")), 5000, ClientMsgIds.immediate())).get(0);
    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.message().seq()).isEqualTo(original.seq());
    assertThat(retry.message().ts()).isEqualTo(original.ts());
    assertThat(append(draft(general, alice, "next", "id-2")).get(0).message().seq()).isEqualTo(2);
    assertThat(rowCount()).isEqualTo(2);
  }

  @Test
  void clientMsgIdsWithQuotesBackslashesAndNonAsciiAreFoundAgain() throws Exception {
    List<String> ids = List.of("q\"uote", "back\\slash", "tab\tnew\nline", "caf\u00e9-\uD83D\uDE00", "[1,2]", "0");
    for (String id : ids) {
      append(draft(general, alice, "first " + id, id));
    }
    List<Appended> retries = append(ids.stream().map(id -> draft(general, alice, "again", id)).toArray(Draft[]::new));
    assertThat(retries).allSatisfy(a -> assertThat(a.duplicate()).isTrue());
    assertThat(retries).extracting(a -> a.message().text()).containsExactlyElementsOf(ids.stream().map(id -> "first " + id).toList());
    assertThat(rowCount()).isEqualTo(ids.size());
  }

  @Test
  void aBatchMixingRetriesAndNewSendsKeepsSeqsContiguous() throws Exception {
    Message original = append(draft(general, alice, "x", "id-1")).get(0).message();
    List<Appended> batch = append(draft(general, bob, "y", "id-9"), draft(general, alice, "x", "id-1"), draft(other, alice, "z", "id-1"),
        draft(general, alice, "w", null));
    assertThat(batch.get(1).duplicate()).isTrue();
    assertThat(batch.get(1).message()).isEqualTo(original);
    assertThat(batch.get(2).duplicate()).as("the same id in another room is another message").isFalse();
    assertThat(batch).extracting(a -> a.message().room() + "#" + a.message().seq())
        .containsExactly("general#2", "general#1", "other#1", "general#3");
    assertThat(lastSeq()).as("a retry takes no seq").isEqualTo(3);
  }

  @Test
  void aBatchLargerThanOneStatementsParametersStillFindsEveryEarlierCopy() throws Exception {
    List<Long> rooms = new ArrayList<>();
    db.inTransaction(c -> {
      for (int i = 0; i < 1_100; i++) {
        rooms.add(insert(c, "INSERT INTO rooms (name, topic, is_private, last_seq, created_at) VALUES ('r" + i + "', '', FALSE, 0, 0) RETURNING id"));
      }
      return null;
    });
    List<Draft> drafts = new ArrayList<>();
    for (int i = 0; i < rooms.size(); i++) {
      drafts.add(new Draft(rooms.get(i), "r" + i, alice, "alice", "m" + i, "id-" + i));
    }
    List<Appended> first = db.inTransaction(c -> store.append(c, drafts, 1000, ClientMsgIds.immediate()));
    assertThat(first).allMatch(a -> !a.duplicate() && a.message().seq() == 1);
    List<Appended> retried = db.inTransaction(c -> store.append(c, drafts, 2000, ClientMsgIds.immediate()));
    assertThat(retried).allMatch(Appended::duplicate);
    assertThat(retried).extracting(Appended::message).containsExactlyElementsOf(first.stream().map(Appended::message).toList());
    assertThat(rowCount()).isEqualTo(1_100);
  }

  long keyCount() throws Exception {
    return db.inTransaction(c -> insert(c, "SELECT COUNT(*) FROM client_msg_ids"));
  }

  long keyedSeq() throws Exception {
    return db.inTransaction(c -> insert(c, "SELECT keyed_seq FROM rooms WHERE id = " + general));
  }

  /** Appends in a transaction of its own, as the writer does. */
  List<Appended> append(ClientMsgIds ids, Draft... drafts) throws Exception {
    return ids.transaction(db, c -> store.append(c, List.of(drafts), 1000, ids));
  }

  @Test
  void immediateKeysAreWrittenWithTheirMessages() throws Exception {
    append(draft(general, alice, "x", "id-1"), draft(general, bob, "y", null));
    assertThat(keyCount()).isEqualTo(1);
    assertThat(keyedSeq()).isEqualTo(2);
  }

  @Test
  void heldBackKeysStillFindTheOriginalAndAreWrittenOnceEnoughWait() throws Exception {
    ClientMsgIds ids = ClientMsgIds.heldBack(3);
    Message original = append(ids, draft(general, alice, "x", "id-1")).get(0).message();
    assertThat(keyCount()).as("held back").isZero();
    Appended retry = append(ids, draft(general, alice, "x", "id-1")).get(0);
    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.message()).isEqualTo(original);
    append(ids, draft(general, bob, "y", "id-2"), draft(general, bob, "z", null));
    assertThat(keyCount()).as("the held key and the batch's own, once three were waiting").isEqualTo(2);
    assertThat(keyedSeq()).isEqualTo(3);
    assertThat(ids.held()).isZero();
    assertThat(append(ids, draft(general, alice, "x", "id-1")).get(0).duplicate()).as("found in the table now").isTrue();
    assertThat(rowCount()).isEqualTo(3);
  }

  @Test
  void aRolledBackTransactionHoldsNoKeys() throws Exception {
    ClientMsgIds ids = ClientMsgIds.heldBack(100);
    Draft toNowhere = new Draft(general + other + 1_000, "gone", alice, "alice", "x", "id-9");
    assertThatThrownBy(() -> append(ids, draft(general, alice, "x", "id-1"), toNowhere)).isInstanceOf(ChatException.class);
    assertThat(ids.held()).isZero();
    Appended stored = append(ids, draft(general, alice, "x", "id-1")).get(0);
    assertThat(stored.duplicate()).as("the rolled-back copy was never stored").isFalse();
    assertThat(stored.message().seq()).isEqualTo(1);
  }

  @Test
  void keysHeldAtACrashAreRecoveredBeforeTheNextWriterTakesASend() throws Exception {
    ClientMsgIds crashed = ClientMsgIds.heldBack(1_000);
    Message original = append(crashed, draft(general, alice, "x", "id-1"), draft(other, bob, "y", "id-2")).get(0).message();
    assertThat(keyCount()).as("nothing written when the writer died").isZero();

    List<Message> published = new CopyOnWriteArrayList<>();
    GroupCommitWriter restarted = new GroupCommitWriter(db, store, ClientMsgIds.heldBack(1_000), new Metrics(),
        OpenTelemetry.noop().getTracer("test"), committed -> committed.forEach(c -> published.add(c.message())));
    try {
      Appended retry = restarted.append(draft(general, alice, "x", "id-1")).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry.message()).isEqualTo(original);
    } finally {
      restarted.close();
    }
    assertThat(published).isEmpty();
    assertThat(keyCount()).isEqualTo(2);
    assertThat(rowCount()).isEqualTo(2);
  }

  @Test
  void aWriterThatStopsWritesTheKeysItHeld() throws Exception {
    GroupCommitWriter writer = new GroupCommitWriter(db, store, ClientMsgIds.heldBack(1_000), new Metrics(),
        OpenTelemetry.noop().getTracer("test"), committed -> { });
    try {
      writer.append(draft(general, alice, "x", "id-1")).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(keyCount()).isZero();
    } finally {
      writer.close();
    }
    assertThat(keyCount()).isEqualTo(1);
    assertThat(keyedSeq()).isEqualTo(1);
    assertThat(db.inTransaction(ClientMsgIds::recover)).as("nothing left for the next start").isZero();
  }

  @Test
  void aSendToADeletedRoomIsRefusedAndStoresNothing() throws Exception {
    Draft toNowhere = new Draft(general + other + 1_000, "gone", alice, "alice", "x", "id-1");
    assertThatThrownBy(() -> append(draft(general, alice, "x", null), toNowhere))
        .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND));
    assertThat(rowCount()).isZero();
    assertThat(lastSeq()).isZero();
  }

  @Test
  void pagesAreAscendingAndBounded() throws Exception {
    for (int i = 1; i <= 30; i++) {
      append(draft(general, alice, "m" + i, null));
    }
    assertThat(page(10L, null, 3))
        .extracting(Message::seq).containsExactly(7L, 8L, 9L);
    assertThat(page(null, 25L, 3))
        .extracting(Message::seq).containsExactly(26L, 27L, 28L);
    assertThat(page(20L, 15L, 100))
        .extracting(Message::seq).containsExactly(16L, 17L, 18L, 19L);
  }

  @Test
  void replayGivesTheNewestAfterSinceAndWhereTheClientNowStands() throws Exception {
    for (int i = 1; i <= 60; i++) {
      append(draft(general, alice, "m" + i, null));
    }
    MessageHistory history = new MessageHistory(db, store);
    MessageHistory.Replay fresh = await(history.replay(general, "general", null));
    assertThat(fresh.messages()).extracting(Message::seq).containsExactlyElementsOf(LongStream.rangeClosed(11, 60).boxed().toList());
    assertThat(fresh.hasMore()).isTrue();
    assertThat(fresh.delivered()).isEqualTo(60);

    MessageHistory.Replay resumed = await(history.replay(general, "general", 55L));
    assertThat(resumed.messages()).extracting(Message::seq).containsExactly(56L, 57L, 58L, 59L, 60L);
    assertThat(resumed.hasMore()).isFalse();

    MessageHistory.Replay upToDate = await(history.replay(general, "general", 60L));
    assertThat(upToDate.messages()).isEmpty();
    assertThat(upToDate.delivered()).isEqualTo(60);
    MessageHistory.Replay fromTheFuture = await(history.replay(general, "general", 99L));
    assertThat(fromTheFuture.delivered()).as("a since beyond the room is not trusted").isEqualTo(60);
  }

  @Test
  void groupCommitUnderConcurrencyAssignsEverySeqOnceAndPublishesInOrder() throws Exception {
    List<Message> published = new CopyOnWriteArrayList<>();
    Metrics metrics = new Metrics();
    GroupCommitWriter writer = new GroupCommitWriter(db, store, ClientMsgIds.immediate(), metrics, OpenTelemetry.noop().getTracer("test"),
        committed -> committed.forEach(c -> published.add(c.message())));
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<CompletableFuture<Appended>> acks = Collections.synchronizedList(new ArrayList<>());
      List<java.util.concurrent.Future<?>> senders = new ArrayList<>();
      for (int t = 0; t < 20; t++) {
        int thread = t;
        senders.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            acks.add(writer.append(draft(general, thread % 2 == 0 ? alice : bob, "t" + thread + "-" + i, "t" + thread + "-" + i))
                .toCompletionStage().toCompletableFuture());
          }
        }));
      }
      for (java.util.concurrent.Future<?> s : senders) {
        s.get(30, TimeUnit.SECONDS);
      }
      Map<Long, Integer> seqCounts = new HashMap<>();
      for (CompletableFuture<Appended> ack : acks) {
        Appended a = ack.get(30, TimeUnit.SECONDS);
        assertThat(a.duplicate()).isFalse();
        seqCounts.merge(a.message().seq(), 1, Integer::sum);
      }
      assertThat(seqCounts.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
      assertThat(seqCounts.values()).allMatch(n -> n == 1);
    } finally {
      pool.shutdownNow();
      writer.close();
    }
    assertThat(published).extracting(Message::seq).containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
    assertThat(metrics.messagesTotal()).as("chatroom_messages_total counts each committed message once").isEqualTo(1000);
    var batches = metrics.registry().get("chatroom.group.commit.batch.size").summary();
    assertThat(batches.totalAmount()).as("every send was in exactly one committed batch").isEqualTo(1000);
    assertThat(batches.count()).as("sends were grouped").isLessThan(1000);
    assertThat(rowCount()).isEqualTo(1000);
  }
}
