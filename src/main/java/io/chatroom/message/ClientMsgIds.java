package io.chatroom.message;

import io.chatroom.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The idempotency keys of committed sends ({@code client_msg_ids}), which may reach the database behind their
 * messages. Writing a key with its message costs the transaction a page per room in a second B-tree, which on
 * SQLite was about 40 % of a send; held back, a key costs a share of one bulk write where many keys of a room
 * share a page.
 *
 * <p>The rule that keeps this exact: a key is either in {@code client_msg_ids} or here, from the moment its
 * message commits. Each room's {@code keyed_seq} says up to which seq its keys are written; a crash loses only
 * what is here, and {@link #recover} rebuilds it from the messages past {@code keyed_seq} before the first send
 * is taken. So only a single writer may hold keys back: with several nodes, a retry could reach a node that
 * never saw the key. {@link #immediate()} writes every key in its message's transaction.
 *
 * <p>Confined to the writer's thread. Every append runs inside {@link #transaction}, which tells this how it
 * ended.
 */
public final class ClientMsgIds {
  private record Key(MessageStore.IdKey id, long seq) {}

  private static final Comparator<Key> KEY_ORDER = Comparator.comparingLong((Key k) -> k.id().roomId())
      .thenComparingLong(k -> k.id().userId())
      .thenComparing(k -> k.id().clientMsgId());

  private final int writeAt;
  /** Committed, not in client_msg_ids yet: each key's seq (not its message, whose text may be 16 KB). */
  private final Map<MessageStore.IdKey, Long> held = new HashMap<>();
  /** Per room with messages committed since the last write, the highest seq committed. */
  private final Map<Long, Long> heldSeqs = new HashMap<>();
  /** The open transaction's new messages. */
  private List<Message> uncommitted = List.of();
  private boolean writtenInTransaction;

  private ClientMsgIds(int writeAt) {
    this.writeAt = writeAt;
  }

  /** Every key written in the transaction of its message: for stores with several writers. */
  public static ClientMsgIds immediate() {
    return new ClientMsgIds(0);
  }

  /** Keys held until at least {@code writeAt} are waiting: for the single writer of an embedded store. */
  public static ClientMsgIds heldBack(int writeAt) {
    return new ClientMsgIds(writeAt);
  }

  int held() {
    return held.size();
  }

  /** The seq of the committed message under {@code key} whose key is not written yet, or null. */
  Long find(MessageStore.IdKey key) {
    return held.get(key);
  }

  /**
   * Called by the transaction that stored {@code fresh}: writes every held key and theirs when enough are
   * waiting (always, for {@link #immediate()}).
   */
  void inTransaction(Connection c, List<Message> fresh) throws SQLException {
    uncommitted = fresh;
    if (held.size() + fresh.size() >= writeAt) {
      writeAll(c);
    }
  }

  /** Writes the held keys and those of the open transaction's messages. */
  private void writeAll(Connection c) throws SQLException {
    List<Key> keyed = new ArrayList<>(held.size() + uncommitted.size());
    held.forEach((key, seq) -> keyed.add(new Key(key, seq)));
    for (Message m : uncommitted) {
      if (m.clientMsgId() != null) {
        keyed.add(new Key(MessageStore.IdKey.of(m), m.seq()));
      }
    }
    // in key order, each insert lands on the page the last one left, not on a random one
    keyed.sort(KEY_ORDER);
    write(c, keyed);
    writtenInTransaction = true;
  }

  /**
   * Runs {@code work} (which appends with these keys) in a transaction of {@code db}; what is held afterwards
   * depends on whether it committed, so every append must go through here.
   */
  public <T> T transaction(Database db, Database.SqlWork<T> work) throws Exception {
    uncommitted = List.of();
    writtenInTransaction = false;
    T result;
    try {
      result = db.inTransaction(work);
    } catch (Throwable t) {
      uncommitted = List.of(); // nothing of it reached the database, so nothing more is held
      throw t;
    }
    committed();
    return result;
  }

  private void committed() {
    if (writtenInTransaction) {
      held.clear();
      heldSeqs.clear();
    } else {
      for (Message m : uncommitted) {
        if (m.clientMsgId() != null) {
          held.put(MessageStore.IdKey.of(m), m.seq());
        }
      }
      mergeHighestSeqs(heldSeqs, uncommitted);
    }
    uncommitted = List.of();
  }

  private static void mergeHighestSeqs(Map<Long, Long> highestByRoom, List<Message> messages) {
    messages.forEach(m -> highestByRoom.merge(m.roomId(), m.seq(), Math::max));
  }

  /** Writes every held key, in a transaction of its own; for a writer that stops. */
  void writeHeld(Database db) throws Exception {
    transaction(db, c -> {
      writeAll(c);
      return null;
    });
  }

  /** Whether anything is held that {@link #writeHeld} would write. */
  boolean anyHeld() {
    return !heldSeqs.isEmpty();
  }

  /**
   * Whether every transaction writes its own keys; then the seq bump moves each room's {@code keyed_seq}
   * along with its {@code last_seq}, and the room is there to key.
   */
  boolean writtenWithMessages() {
    return writeAt == 0;
  }

  private void write(Connection c, List<Key> keyed) throws SQLException {
    // held keys may belong to a room deleted meanwhile, whose messages are gone: its keys must not outlive them
    String sql = writtenWithMessages()
        ? "INSERT INTO client_msg_ids (room_id, user_id, client_msg_id, seq) VALUES (?, ?, ?, ?)"
        : "INSERT INTO client_msg_ids (room_id, user_id, client_msg_id, seq) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rooms WHERE id = ?)";
    try (PreparedStatement insert = c.prepareStatement(sql)) {
      for (Key k : keyed) {
        insert.setLong(1, k.id().roomId());
        insert.setLong(2, k.id().userId());
        insert.setString(3, k.id().clientMsgId());
        insert.setLong(4, k.seq());
        if (!writtenWithMessages()) {
          insert.setLong(5, k.id().roomId());
        }
        insert.addBatch();
      }
      if (!keyed.isEmpty()) {
        insert.executeBatch();
      }
    }
    if (writtenWithMessages()) {
      return; // the seq bump moved keyed_seq
    }
    Map<Long, Long> seqs = new HashMap<>(heldSeqs);
    mergeHighestSeqs(seqs, uncommitted);
    if (seqs.isEmpty()) {
      return;
    }
    try (PreparedStatement keyedUpTo = c.prepareStatement("UPDATE rooms SET keyed_seq = ? WHERE id = ? AND keyed_seq < ?")) {
      for (Map.Entry<Long, Long> room : seqs.entrySet()) {
        keyedUpTo.setLong(1, room.getValue());
        keyedUpTo.setLong(2, room.getKey());
        keyedUpTo.setLong(3, room.getValue());
        keyedUpTo.addBatch();
      }
      keyedUpTo.executeBatch();
    }
  }

  /**
   * Writes the keys of every message past its room's {@code keyed_seq}: those a writer held when it stopped
   * without writing them (a crash), or messages stored around the writer (an import). Returns how many.
   */
  public static int recover(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      int keyed = s.executeUpdate("INSERT INTO client_msg_ids (room_id, user_id, client_msg_id, seq)"
          + " SELECT m.room_id, m.user_id, m.client_msg_id, m.seq FROM rooms r JOIN messages m ON m.room_id = r.id AND m.seq > r.keyed_seq"
          + " WHERE r.keyed_seq < r.last_seq AND m.client_msg_id IS NOT NULL"
          + " ON CONFLICT DO NOTHING");
      s.executeUpdate("UPDATE rooms SET keyed_seq = last_seq WHERE keyed_seq < last_seq");
      return keyed;
    }
  }
}
