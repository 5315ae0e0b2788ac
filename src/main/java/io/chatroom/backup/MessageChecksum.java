package io.chatroom.backup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 over every message in (room, seq) order, computed the same way from a store and from an export, so
 * equal checksums mean the same messages with the same rooms, seqs, authors, bodies, client ids and times.
 *
 * <p>Each message contributes each column of {@link ExportFormat#MESSAGES}, in that order, tagged: 0 for
 * null; 1 and 8 big-endian bytes for an integer; 2 and one byte (0 or 1) for a boolean; 3, a 4-byte
 * big-endian length and the UTF-8 bytes for a string. Tags and lengths keep field boundaries unambiguous.
 */
final class MessageChecksum {
  private final MessageDigest sha256;
  private final ByteBuffer buffer = ByteBuffer.allocate(9);

  MessageChecksum() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Adds one message, its values in the order of {@link ExportFormat#MESSAGES}; add them in (room, seq) order. */
  void add(Object[] values) {
    for (Object value : values) {
      buffer.clear();
      if (value == null) {
        buffer.put((byte) 0);
      } else if (value instanceof Long n) {
        buffer.put((byte) 1).putLong(n);
      } else if (value instanceof Boolean b) {
        buffer.put((byte) 2).put((byte) (b ? 1 : 0));
      } else {
        byte[] bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
        buffer.put((byte) 3).putInt(bytes.length);
        sha256.update(buffer.array(), 0, buffer.position());
        sha256.update(bytes);
        continue;
      }
      sha256.update(buffer.array(), 0, buffer.position());
    }
  }

  /** The checksum as 64 lowercase hex digits; call once, after the last message. */
  String hex() {
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** The names of the columns the checksum covers today, as a manifest records them. */
  static List<String> columns() {
    return ExportFormat.MESSAGES.columns().stream().map(ExportFormat.Column::name).toList();
  }

  /** The columns of {@link #columns()} this store's messages have (a store not yet migrated lacks the newer ones). */
  static List<String> present(Connection c) throws SQLException {
    java.util.Set<String> actual = ExportFormat.columns(c, ExportFormat.MESSAGES.name());
    return columns().stream().filter(actual::contains).toList();
  }

  /** The checksum of every message in the store, in one pass (streamed on PostgreSQL when in a transaction). */
  static String of(Connection c) throws SQLException {
    return of(c, columns());
  }

  /**
   * The checksum over {@code columns} only, in that order, as a manifest recorded them: a backup from before a
   * migration added a message column is checked over the columns it had.
   */
  static String of(Connection c, List<String> columns) throws SQLException {
    ExportFormat.Table table = ExportFormat.MESSAGES.only(columns);
    MessageChecksum sum = new MessageChecksum();
    try (PreparedStatement ps = c.prepareStatement(table.select())) {
      ps.setFetchSize(Jdbc.FETCH_SIZE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sum.add(ExportFormat.row(rs, table));
        }
      }
    }
    return sum.hex();
  }
}
