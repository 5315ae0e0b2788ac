package io.chatroom.jmh;

import io.chatroom.message.Appended;
import io.chatroom.message.ClientMsgIds;
import io.chatroom.message.Draft;
import io.chatroom.message.MessageStore;
import io.chatroom.store.Database;
import io.chatroom.testing.TestDatabases;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One group commit: a batch of sends, each to its own room or all to one, appended and committed in one
 * transaction, as the writer thread does it, on embedded SQLite or on PostgreSQL (127.0.0.1:5432, a fresh schema).
 * The bench's {@code durable} profiles found the batch compiling its SQL per message, then making three round
 * trips per room on PostgreSQL; this keeps that path measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchCommitBenchmark {
  @Param({"250"})
  int batch;

  @Param({"1", "250"})
  int rooms;

  @Param({"SQLITE", "POSTGRES"})
  TestDatabases.Kind database;

  /** 0: each batch writes its own idempotency keys; otherwise keys are held until this many wait, as on SQLite alone. */
  @Param({"0", "4096"})
  int heldKeys;

  private ClientMsgIds ids;

  private Vertx vertx;
  private Database db;
  private Path dir;
  private MessageStore store;
  private final List<Long> roomIds = new ArrayList<>();
  private long userId;
  private long next;

  @Setup(Level.Trial)
  public void open() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("jmh-commit");
    TestDatabases.Isolated isolated = TestDatabases.create(database, dir);
    db = Database.open(vertx, isolated.url(), isolated.schema());
    store = new MessageStore(db.url().kind());
    ids = heldKeys == 0 ? ClientMsgIds.immediate() : ClientMsgIds.heldBack(heldKeys);
    db.inTransaction(c -> {
      userId = single(c, "INSERT INTO users (username, username_key, password_hash, created_at) VALUES ('jmh', 'jmh', '!', 0) RETURNING id");
      for (int i = 0; i < rooms; i++) {
        roomIds.add(single(c, "INSERT INTO rooms (name, topic, is_private, last_seq, created_at) VALUES ('jmh-" + i
            + "', '', FALSE, 0, 0) RETURNING id"));
      }
      return null;
    });
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
    vertx.close();
  }

  @Benchmark
  public Object commitOneBatch() throws Exception {
    List<Draft> drafts = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      long room = roomIds.get(i % rooms);
      drafts.add(new Draft(room, "jmh-" + (i % rooms), userId, "jmh", "a message of about sixty-four bytes, like the bench sends",
          "m" + (next++)));
    }
    long now = System.currentTimeMillis();
    return ids.transaction(db, c -> store.append(c, drafts, now, ids));
  }

  private static long single(java.sql.Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
