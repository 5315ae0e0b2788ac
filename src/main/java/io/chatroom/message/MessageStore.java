package io.chatroom.message;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Message SQL. Every method runs on the caller's JDBC connection; none commits. */
public final class MessageStore {
  private static final String SELECT =
      "SELECT m.room_id, m.seq, m.user_id, u.username, m.body, m.ts, m.client_msg_id, m.reply_to, m.interrupted"
          + " FROM messages m JOIN users u ON u.id = m.user_id WHERE m.room_id = ? ";

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
   * PostgreSQL, so concurrent writers (other nodes) serialise per room; rooms are locked in id order so two
   * batches can never deadlock. A clientMsgId seen before, in the database or earlier in the batch, yields
   * the earlier message marked duplicate.
   */
  public List<Appended> append(Connection c, List<Draft> drafts, long now) throws SQLException {
    Map<Long, List<Integer>> byRoom = new TreeMap<>();
    for (int i = 0; i < drafts.size(); i++) {
      byRoom.computeIfAbsent(drafts.get(i).roomId(), k -> new ArrayList<>()).add(i);
    }
    Appended[] results = new Appended[drafts.size()];
    try (Statements sql = new Statements(c)) {
      for (Map.Entry<Long, List<Integer>> entry : byRoom.entrySet()) {
        appendToRoom(sql, entry.getKey(), entry.getValue(), drafts, results, now);
      }
    }
    return List.of(results);
  }

  /**
   * The append's statements, each prepared once per batch and reused for every room and draft in it. Preparing
   * them per draft compiled three SQL statements per message: that, not the writes, was most of the group-commit
   * thread's CPU (a batch of 250 sends to 250 rooms prepared 750 statements).
   */
  private static final class Statements implements AutoCloseable {
    private final Connection c;
    private PreparedStatement find;
    private PreparedStatement bump;
    private PreparedStatement insert;

    Statements(Connection c) {
      this.c = c;
    }

    PreparedStatement find() throws SQLException {
      if (find == null) {
        find = c.prepareStatement(SELECT + "AND m.user_id = ? AND m.client_msg_id = ?");
      }
      return find;
    }

    PreparedStatement bump() throws SQLException {
      if (bump == null) {
        bump = c.prepareStatement("UPDATE rooms SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq");
      }
      return bump;
    }

    PreparedStatement insert() throws SQLException {
      if (insert == null) {
        insert = c.prepareStatement(
            "INSERT INTO messages (room_id, seq, user_id, client_msg_id, body, ts, reply_to, interrupted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      }
      return insert;
    }

    @Override
    public void close() throws SQLException {
      for (PreparedStatement ps : new PreparedStatement[] {find, bump, insert}) {
        if (ps != null) {
          ps.close();
        }
      }
    }
  }

  private void appendToRoom(Statements sql, long roomId, List<Integer> indexes, List<Draft> drafts, Appended[] results,
      long now) throws SQLException {
    Map<String, Integer> firstInBatch = new HashMap<>();
    Map<Integer, Integer> repeatOf = new HashMap<>();
    Map<Integer, Draft> fresh = new LinkedHashMap<>();
    for (int index : indexes) {
      Draft d = drafts.get(index);
      if (d.clientMsgId() != null) {
        String key = d.userId() + "\u0000" + d.clientMsgId();
        Integer first = firstInBatch.get(key);
        if (first != null) {
          repeatOf.put(index, first);
          continue;
        }
        Message earlier = findByClientMsgId(sql.find(), d);
        if (earlier != null) {
          results[index] = new Appended(earlier, true);
          continue;
        }
        firstInBatch.put(key, index);
      }
      fresh.put(index, d);
    }
    if (fresh.isEmpty()) {
      return;
    }
    long last = bumpSeq(sql.bump(), roomId, fresh.size());
    long seq = last - fresh.size() + 1;
    PreparedStatement ps = sql.insert();
    for (Map.Entry<Integer, Draft> e : fresh.entrySet()) {
      Draft d = e.getValue();
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
      results[e.getKey()] = new Appended(m, false);
    }
    ps.executeBatch();
    repeatOf.forEach((index, first) -> results[index] = new Appended(results[first].message(), true));
  }

  private static long bumpSeq(PreparedStatement ps, long roomId, int count) throws SQLException {
    ps.setInt(1, count);
    ps.setLong(2, roomId);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        // deleted by an operator while a session still held it
        throw new ChatException(ErrorCode.ROOM_NOT_FOUND, "this room was deleted");
      }
      return rs.getLong(1);
    }
  }

  private Message findByClientMsgId(PreparedStatement ps, Draft d) throws SQLException {
    ps.setLong(1, d.roomId());
    ps.setLong(2, d.userId());
    ps.setString(3, d.clientMsgId());
    List<Message> found = readAll(ps, d.room());
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Message> readAll(PreparedStatement ps, String room) throws SQLException {
    List<Message> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long replyTo = rs.getLong(8);
        Long reply = rs.wasNull() ? null : replyTo;
        out.add(new Message(rs.getLong(1), room, rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5),
            rs.getLong(6), rs.getString(7), reply, rs.getBoolean(9)));
      }
    }
    return out;
  }
}
