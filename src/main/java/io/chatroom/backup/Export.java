package io.chatroom.backup;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.chatroom.config.DatabaseUrl;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The portable export: one JSON object per line, the same for SQLite and PostgreSQL, so a store moves between
 * them. Line 1 is the header ({@code format}, {@code version}, {@code exported_at}, {@code source},
 * {@code schema_version}, {@code counts}); then one line per row of each table of {@link ExportFormat}, in its
 * order, each with its {@code type}; the last line, {@code {"type":"end",...}}, repeats the counts and carries
 * the {@link MessageChecksum}. A file without that line is truncated.
 *
 * <p>Everything is read in one snapshot transaction and streamed row by row: the export is consistent while
 * the server keeps taking writes, and memory stays flat however big the store. Users carry their password
 * hashes (bcrypt), never passwords.
 */
public final class Export {
  private static final JsonFactory JSON = new JsonFactory();

  private Export() {}

  /**
   * What an export holds, as written in its header and end line.
   *
   * @param leftOut tables in the store's schema that are not chatroom's, hence not exported (empty for imports)
   */
  public record Summary(Counts counts, String messagesSha256, String schemaVersion, List<String> leftOut) {
    /** One line for people: the counts and the checksum. */
    public String describe() {
      return counts + "; messages sha256 " + messagesSha256;
    }
  }

  /**
   * Exports the store to {@code file}, gzipped when its name ends in {@code .gz}. The file appears only when
   * complete (it is written as {@code <file>.partial} first).
   *
   * @param schema the PostgreSQL schema; null for the default
   * @throws BackupException when the store cannot be read or the file written; no file is left then
   */
  public static Summary toFile(DatabaseUrl url, String schema, Path file) {
    Path partial = BackupName.partialOf(file);
    try (Connection c = Jdbc.open(url, schema)) {
      Summary summary;
      try (OutputStream out = open(partial, file.getFileName().toString().endsWith(".gz"))) {
        summary = write(c, url, out);
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return summary;
    } catch (IOException | SQLException e) {
      throw new BackupException("cannot export " + url.display() + " to " + file + " (" + e.getMessage() + ")", e);
    } finally {
      deleteQuietly(partial);
    }
  }

  /** Writes {@code <file>.sha256} (sha256sum's format) beside an export, for copying it between hosts. */
  public static Path writeChecksum(Path file) {
    try {
      return Checksums.write(List.of(file));
    } catch (IOException e) {
      throw new BackupException("cannot write the checksum of " + file + " (" + e.getMessage() + ")", e);
    }
  }

  private static OutputStream open(Path file, boolean gzip) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    return gzip ? new GZIPOutputStream(out, 1 << 16) : out;
  }

  /** Writes every row of the store {@code c} is connected to, in one snapshot transaction that it ends. */
  static Summary write(Connection c, DatabaseUrl url, OutputStream out) throws IOException, SQLException {
    Jdbc.beginSnapshot(c, url);
    try {
      if (!Jdbc.hasTable(c, ExportFormat.MESSAGES.name())) {
        throw new BackupException(url.display() + " has no chatroom tables; nothing to export");
      }
      String schemaVersion = Jdbc.schemaVersion(c);
      List<String> leftOut = ExportFormat.checkSource(c, schemaVersion);
      Counts counts = Counts.of(c);
      JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8);
      json.setRootValueSeparator(null); // lines end with '\n' instead
      json.writeStartObject();
      json.writeStringField("format", ExportFormat.FORMAT);
      json.writeNumberField("version", ExportFormat.VERSION);
      json.writeStringField("exported_at", Instant.now().toString());
      json.writeStringField("source", url.kind().name().toLowerCase(Locale.ROOT));
      json.writeStringField("schema_version", schemaVersion);
      writeCounts(json, counts);
      json.writeEndObject();
      json.writeRaw('\n');

      Map<String, Long> rows = new LinkedHashMap<>();
      MessageChecksum checksum = new MessageChecksum();
      for (ExportFormat.Table table : ExportFormat.TABLES) {
        long n = 0;
        try (PreparedStatement ps = c.prepareStatement(table.select())) {
          ps.setFetchSize(Jdbc.FETCH_SIZE);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Object[] values = ExportFormat.row(rs, table);
              if (table == ExportFormat.MESSAGES) {
                checksum.add(values);
              }
              writeLine(json, table, values);
              n++;
            }
          }
        }
        rows.put(table.countKey(), n);
      }
      Counts written = new Counts(rows);
      if (!written.equals(counts)) {
        // one snapshot cannot change while it is read; this would be a bug, not a busy server
        throw new BackupException("the store changed during the export (" + counts + " counted, " + written + " written)");
      }
      String sha = checksum.hex();
      json.writeStartObject();
      json.writeStringField("type", "end");
      writeCounts(json, counts);
      json.writeStringField("messages_sha256", sha);
      json.writeEndObject();
      json.writeRaw('\n');
      json.flush();
      return new Summary(counts, sha, schemaVersion, leftOut);
    } finally {
      c.rollback();
    }
  }

  private static void writeLine(JsonGenerator json, ExportFormat.Table table, Object[] values) throws IOException {
    json.writeStartObject();
    json.writeStringField("type", table.type());
    for (int i = 0; i < values.length; i++) {
      ExportFormat.write(json, table.columns().get(i), values[i]);
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  private static void writeCounts(JsonGenerator json, Counts counts) throws IOException {
    json.writeObjectFieldStart("counts");
    for (Map.Entry<String, Long> e : counts.rows().entrySet()) {
      json.writeNumberField(e.getKey(), e.getValue());
    }
    json.writeEndObject();
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover .partial file is harmless; retention removes it later
    }
  }
}
