package io.chatroom.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.config.DatabaseUrl;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;

/** Message SQL. Every method runs on the caller's JDBC connection; none commits. */
public final class MessageStore {
  private static final JsonFactory JSON = new JsonFactory();
  private static final String COLUMNS =
      "m.room_id, m.seq, m.user_id, u.username, m.body, m.ts, m.client_msg_id, m.reply_to, m.interrupted";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM messages m JOIN users u ON u.id = m.user_id WHERE m.room_id = ? ";

  /**
   * On SQLite a batch passes its keys and rooms as one JSON array, read by {@code json_each}, instead of a
   * placeholder per value: compiling a statement with 750 placeholders, and binding each through JNI, was
   * about a fifth of a 250-send commit (bench/jmh BatchCommit). PostgreSQL keeps the portable forms.
   */
  private final boolean sqlite;

  public MessageStore(DatabaseUrl.Kind kind) {
    this.sqlite = kind == DatabaseUrl.Kind.SQLITE;
  }

  /** A page of history in ascending seq. {@code after} pages forward from it; otherwise the newest before {@code before}. */
  public List<Message> page(Connection c, long roomId, String room, Long before, Long after, int limit) throws SQLException {
    StringBuilder sql = new StringBuilder(SELECT);
    if (after != null) {
      sql.append("AND m.seq > ? ");
    }
    if (before != null) {
      sql.append("AND m.seq < ? ");
    }
    boolean forward = after != null;
    sql.append(forward ? "ORDER BY m.seq ASC LIMIT ?" : "ORDER BY m.seq DESC LIMIT ?");
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int i = 1;
      ps.setLong(i++, roomId);
      if (after != null) {
        ps.setLong(i++, after);
      }
      if (before != null) {
        ps.setLong(i++, before);
      }
      ps.setInt(i, limit);
      List<Message> messages = readAll(ps, room);
      if (!forward) {
        Collections.reverse(messages);
      }
      return messages;
    }
  }

  /** The newest {@code limit} messages with seq &gt; {@code since}, ascending; one extra is fetched to tell if more exist. */
  public List<Message> newestAfter(Connection c, long roomId, String room, long since, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + "AND m.seq > ? ORDER BY m.seq DESC LIMIT ?")) {
      ps.setLong(1, roomId);
      ps.setLong(2, since);
      ps.setInt(3, limit);
      List<Message> messages = readAll(ps, room);
      Collections.reverse(messages);
      return messages;
    }
  }

  public long lastSeq(Connection c, long roomId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM rooms WHERE id = ?")) {
      ps.setLong(1, roomId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * Commits nothing itself: appends {@code drafts} inside the caller's transaction and returns one outcome per
   * draft, in the same order. Seqs are taken by bumping {@code rooms.last_seq}, which row-locks the room on
   * PostgreSQL, so concurrent writers (other nodes) serialise per room; rooms are bumped in id order so two
   * batches can never deadlock. A clientMsgId seen before, in the database, among the keys {@code ids} holds
   * back, or earlier in the batch, yields the earlier message marked duplicate.
   *
   * <p>The whole batch costs five statements, whatever its size or number of rooms: one lookup of earlier
   * copies, one batch of seq bumps, one read of the new seqs, one batch of inserts, and (when {@code ids}
   * writes them) one batch of keys. On SQLite the bumps and the read are one statement. Per room, it was
   * three round trips each, which on PostgreSQL held a 500-room batch for a sixth of a second.
   */
  public List<Appended> append(Connection c, List<Draft> drafts, long now, ClientMsgIds ids) throws SQLException {
    Appended[] results = new Appended[drafts.size()];
    Map<IdKey, Integer> firstInBatch = new HashMap<>();
    Map<Integer, Integer> repeatOf = new HashMap<>();
    List<Integer> candidates = new ArrayList<>(drafts.size());
    for (int i = 0; i < drafts.size(); i++) {
      Draft d = drafts.get(i);
      if (d.clientMsgId() != null) {
        Integer first = firstInBatch.putIfAbsent(IdKey.of(d), i);
        if (first != null) {
          repeatOf.put(i, first);
          continue;
        }
      }
      candidates.add(i);
    }
    Map<Long, String> roomNames = new HashMap<>();
    drafts.forEach(d -> roomNames.put(d.roomId(), d.room()));
    Map<IdKey, Message> earlier = findEarlier(c, firstInBatch.keySet(), ids, roomNames::get);
    Map<Long, List<Integer>> freshByRoom = new TreeMap<>();
    for (int index : candidates) {
      Draft d = drafts.get(index);
      Message copy = d.clientMsgId() == null ? null : earlier.get(IdKey.of(d));
      if (copy != null) {
        results[index] = new Appended(copy, true);
      } else {
        freshByRoom.computeIfAbsent(d.roomId(), k -> new ArrayList<>()).add(index);
      }
    }
    List<Message> fresh = new ArrayList<>(candidates.size());
    if (!freshByRoom.isEmpty()) {
      Map<Long, Long> lastSeqs = bumpSeqs(c, freshByRoom, ids.writtenWithMessages());
      insert(c, freshByRoom, lastSeqs, drafts, results, now);
      freshByRoom.values().forEach(indexes -> indexes.forEach(index -> fresh.add(results[index].message())));
    }
    ids.inTransaction(c, fresh);
    repeatOf.forEach((index, first) -> results[index] = new Appended(results[first].message(), true));
    return List.of(results);
  }

  /** A send's idempotency key, the primary key of {@code client_msg_ids}. */
  record IdKey(long roomId, long userId, String clientMsgId) {
    static IdKey of(Draft d) {
      return new IdKey(d.roomId(), d.userId(), d.clientMsgId());
    }

    static IdKey of(Message m) {
      return new IdKey(m.roomId(), m.userId(), m.clientMsgId());
    }
  }

  /** Bounds the parameters of one statement well below SQLite's and PostgreSQL's limits (32,766). */
  private static final int KEYS_PER_STATEMENT = 1000;

  /**
   * The messages already stored under any of {@code keys}, among those {@code ids} holds back or in the
   * database. A join against the keys as a table (a VALUES list; on SQLite {@code json_each} of one JSON
   * array), because both SQLite and PostgreSQL then look each key up in the primary key, where a row-value IN
   * made SQLite scan.
   */
  private Map<IdKey, Message> findEarlier(Connection c, Set<IdKey> keys, ClientMsgIds ids, LongFunction<String> roomName)
      throws SQLException {
    Map<IdKey, Message> found = new HashMap<>();
    List<IdKey> unheld = new ArrayList<>(keys.size());
    for (IdKey key : keys) {
      Long heldSeq = ids.find(key);
      if (heldSeq == null) {
        unheld.add(key);
        continue;
      }
      // a retry of a message whose key is still held: rare, so one read each
      try (PreparedStatement ps = c.prepareStatement(SELECT + "AND m.seq = ?")) {
        ps.setLong(1, key.roomId());
        ps.setLong(2, heldSeq);
        readAll(ps, roomName).forEach(m -> found.put(key, m));
      }
    }
    if (sqlite) {
      if (!unheld.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(EARLIER_FROM_JSON)) {
          ps.setString(1, keysAsJson(unheld));
          readAll(ps, roomName).forEach(m -> found.put(IdKey.of(m), m));
        }
      }
      return found;
    }
    for (int from = 0; from < unheld.size(); from += KEYS_PER_STATEMENT) {
      List<IdKey> chunk = unheld.subList(from, Math.min(unheld.size(), from + KEYS_PER_STATEMENT));
      String sql = "WITH k (room_id, user_id, client_msg_id) AS (VALUES " + String.join(", ", Collections.nCopies(chunk.size(), "(?, ?, ?)"))
          + ") SELECT " + COLUMNS + " FROM k CROSS JOIN client_msg_ids i JOIN messages m ON m.room_id = i.room_id AND m.seq = i.seq"
          + " JOIN users u ON u.id = m.user_id"
          + " WHERE i.room_id = k.room_id AND i.user_id = k.user_id AND i.client_msg_id = k.client_msg_id";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int p = 1;
        for (IdKey key : chunk) {
          ps.setLong(p++, key.roomId());
          ps.setLong(p++, key.userId());
          ps.setString(p++, key.clientMsgId());
        }
        for (Message m : readAll(ps, roomName)) {
          found.put(IdKey.of(m), m);
        }
      }
    }
    return found;
  }

  private static final String EARLIER_FROM_JSON =
      "WITH k (room_id, user_id, client_msg_id) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))"
          + " SELECT " + COLUMNS + " FROM k CROSS JOIN client_msg_ids i JOIN messages m ON m.room_id = i.room_id AND m.seq = i.seq"
          + " JOIN users u ON u.id = m.user_id"
          + " WHERE i.room_id = k.room_id AND i.user_id = k.user_id AND i.client_msg_id = k.client_msg_id";

  /** {@code [[roomId, userId, "clientMsgId"], ...]} */
  private static String keysAsJson(List<IdKey> keys) {
    StringWriter out = new StringWriter(keys.size() * 48);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartArray();
      for (IdKey key : keys) {
        json.writeStartArray();
        json.writeNumber(key.roomId());
        json.writeNumber(key.userId());
        json.writeString(key.clientMsgId());
        json.writeEndArray();
      }
      json.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /**
   * Reserves {@code n} seqs in each room, in room id order, and returns each room's new last seq. With
   * {@code keyed}, the transaction writes the keys of those seqs too, so the room's keyed_seq moves along.
   */
  private Map<Long, Long> bumpSeqs(Connection c, Map<Long, List<Integer>> freshByRoom, boolean keyed) throws SQLException {
    if (sqlite) {
      return bumpSeqsFromJson(c, freshByRoom, keyed);
    }
    String bumpSql = keyed
        ? "UPDATE rooms SET last_seq = last_seq + ?, keyed_seq = last_seq + ? WHERE id = ?"
        : "UPDATE rooms SET last_seq = last_seq + ? WHERE id = ?";
    try (PreparedStatement bump = c.prepareStatement(bumpSql)) {
      for (Map.Entry<Long, List<Integer>> e : freshByRoom.entrySet()) {
        int p = 1;
        bump.setInt(p++, e.getValue().size());
        if (keyed) {
          bump.setInt(p++, e.getValue().size());
        }
        bump.setLong(p, e.getKey());
        bump.addBatch();
      }
      for (int updated : bump.executeBatch()) {
        if (updated == 0) {
          // deleted by an operator while a session still held it
          throw new ChatException(ErrorCode.ROOM_NOT_FOUND, "this room was deleted");
        }
      }
    }
    // this transaction holds every one of these rows now, so what it reads back is its own reservation
    Map<Long, Long> lastSeqs = new HashMap<>();
    List<Long> rooms = new ArrayList<>(freshByRoom.keySet());
    for (int from = 0; from < rooms.size(); from += KEYS_PER_STATEMENT) {
      List<Long> chunk = rooms.subList(from, Math.min(rooms.size(), from + KEYS_PER_STATEMENT));
      String sql = "SELECT id, last_seq FROM rooms WHERE id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setLong(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lastSeqs.put(rs.getLong(1), rs.getLong(2));
          }
        }
      }
    }
    return lastSeqs;
  }

  /**
   * SQLite's form: one statement bumps every room and returns the new last seqs. A single writer holds the
   * whole database, so the room id order that keeps PostgreSQL's row locks deadlock-free does not matter here.
   */
  private static Map<Long, Long> bumpSeqsFromJson(Connection c, Map<Long, List<Integer>> freshByRoom, boolean keyed)
      throws SQLException {
    StringBuilder counts = new StringBuilder(freshByRoom.size() * 16).append('[');
    freshByRoom.forEach((room, indexes) -> {
      if (counts.length() > 1) {
        counts.append(',');
      }
      counts.append('[').append(room).append(',').append(indexes.size()).append(']');
    });
    counts.append(']');
    String sql = "UPDATE rooms SET last_seq = last_seq + b.n" + (keyed ? ", keyed_seq = last_seq + b.n" : "")
        + " FROM (SELECT value ->> 0 AS id, value ->> 1 AS n FROM json_each(?)) b WHERE rooms.id = b.id"
        + " RETURNING rooms.id, rooms.last_seq";
    Map<Long, Long> lastSeqs = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, counts.toString());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lastSeqs.put(rs.getLong(1), rs.getLong(2));
        }
      }
    }
    if (lastSeqs.size() < freshByRoom.size()) {
      // deleted by an operator while a session still held it
      throw new ChatException(ErrorCode.ROOM_NOT_FOUND, "this room was deleted");
    }
    return lastSeqs;
  }

  private static void insert(Connection c, Map<Long, List<Integer>> freshByRoom, Map<Long, Long> lastSeqs, List<Draft> drafts,
      Appended[] results, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO messages (room_id, seq, user_id, client_msg_id, body, ts, reply_to, interrupted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Map.Entry<Long, List<Integer>> room : freshByRoom.entrySet()) {
        long roomId = room.getKey();
        long seq = lastSeqs.get(roomId) - room.getValue().size() + 1;
        for (int index : room.getValue()) {
          Draft d = drafts.get(index);
          Message m = new Message(roomId, d.room(), seq++, d.userId(), d.from(), d.text(), now, d.clientMsgId(), d.replyTo(),
              d.interrupted());
          ps.setLong(1, roomId);
          ps.setLong(2, m.seq());
          ps.setLong(3, m.userId());
          ps.setString(4, m.clientMsgId());
          ps.setString(5, m.text());
          ps.setLong(6, m.ts());
          if (m.replyTo() == null) {
            ps.setNull(7, Types.BIGINT);
          } else {
            ps.setLong(7, m.replyTo());
          }
          ps.setBoolean(8, m.interrupted());
          ps.addBatch();
          results[index] = new Appended(m, false);
        }
      }
      ps.executeBatch();
    }
  }

  private static List<Message> readAll(PreparedStatement ps, String room) throws SQLException {
    return readAll(ps, roomId -> room);
  }

  private static List<Message> readAll(PreparedStatement ps, LongFunction<String> roomName) throws SQLException {
    List<Message> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long replyTo = rs.getLong(8);
        Long reply = rs.wasNull() ? null : replyTo;
        long roomId = rs.getLong(1);
        out.add(new Message(roomId, roomName.apply(roomId), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5),
            rs.getLong(6), rs.getString(7), reply, rs.getBoolean(9)));
      }
    }
    return out;
  }
}
