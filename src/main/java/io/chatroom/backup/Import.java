package io.chatroom.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.config.DatabaseUrl;
import io.chatroom.message.ClientMsgIds;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an {@link Export} into a store, keeping every id and seq, so clients resume with {@code since} and
 * seq order holds after the move. All of it is one transaction that ends with a verification (counts equal
 * the header's, the message checksum equals the end line's, no room's last seq is behind its messages);
 * anything wrong rolls it back and the store is as it was.
 *
 * <p>The target must be empty ({@link Counts#isEmpty}): the rows migrations seed there (the {@code general}
 * and {@code ops} rooms, the {@code system} and {@code ai} users) are replaced by the export's own, which may
 * have other ids.
 */
public final class Import {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Rows sent per JDBC batch: big enough to amortise round trips, small enough to keep memory flat. */
  private static final int BATCH = 500;
  /** Tables whose ids PostgreSQL generates: their sequences move past the imported ids. */
  private static final List<ExportFormat.Table> GENERATED_IDS = List.of(ExportFormat.USERS, ExportFormat.ROOMS, ExportFormat.AUDIT_EVENTS);

  private Import() {}

  /**
   * Imports {@code file} into the store at {@code target}, which is migrated first; the store must not be in
   * use (stop the server: it caches rooms and users by id).
   *
   * @param schema  the PostgreSQL schema; null for the default
   * @param replace false: refuse a store that is not empty; true: delete what it holds, in the same transaction
   * @throws BackupException when the file is damaged or the store not empty; nothing was changed then
   */
  public static Export.Summary run(Vertx vertx, Path file, DatabaseUrl target, String schema, boolean replace) {
    try {
      if (Files.isRegularFile(BackupName.checksumOf(file))) {
        Checksums.verify(file);
      }
      try (BufferedReader reader = open(file)) {
        JsonNode header = header(file, reader.readLine());
        if (target.kind() == DatabaseUrl.Kind.SQLITE) {
          Path db = Jdbc.sqliteFile(target);
          Files.createDirectories(db.getParent());
          if (Files.isRegularFile(db)) {
            Jdbc.refuseWhileInUse(db);
          }
        }
        try (Database db = open(vertx, target, schema, "nothing was imported")) {
          Export.Summary summary = db.inTransaction(c -> load(c, db.url(), header, reader, file, replace));
          ping(db);
          return summary;
        }
      }
    } catch (BackupException e) {
      throw e;
    } catch (ZipException | EOFException e) {
      throw new BackupException("cannot read " + file + ": it is truncated or corrupt (" + e.getMessage() + "); nothing was imported");
    } catch (Exception e) {
      throw new BackupException("cannot import " + file + " (" + e.getMessage() + "); nothing was imported", e);
    }
  }

  /** Opens (and migrates) a store as the server would; a failure names {@code consequence}. */
  static Database open(Vertx vertx, DatabaseUrl target, String schema, String consequence) {
    try {
      return Database.open(vertx, target, schema);
    } catch (RuntimeException e) {
      throw new BackupException(e.getMessage() + "; " + consequence, e);
    }
  }

  static void ping(Database db) {
    try {
      db.ping().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BackupException("the database does not answer (" + e.getMessage() + ")", e);
    }
  }

  private static BufferedReader open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BackupException("no file " + file);
    }
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    return new BufferedReader(new InputStreamReader(gzip ? new GZIPInputStream(in, 1 << 16) : in, StandardCharsets.UTF_8), 1 << 16);
  }

  private static JsonNode header(Path file, String line) {
    JsonNode header = line == null ? null : parse(line, 1);
    if (header == null || !ExportFormat.FORMAT.equals(header.path("format").asText())) {
      throw new BackupException(file + " is not a chatroom export (its first line is no export header)");
    }
    int version = header.path("version").asInt();
    if (version > ExportFormat.VERSION) {
      throw new BackupException(file + " is export version " + version + ", newer than this chatroom reads (" + ExportFormat.VERSION
          + "); import it with the version that exported it, or a newer one");
    }
    return header;
  }

  private static Export.Summary load(Connection c, DatabaseUrl url, JsonNode header, BufferedReader reader, Path file,
      boolean replace) throws Exception {
    ExportFormat.checkTarget(c, Jdbc.schemaVersion(c));
    if (!replace && !Counts.isEmpty(c)) {
      throw new BackupException("the target store is not empty (" + Counts.of(c) + "); import needs an empty store:"
          + " point --database-url or --data-dir at a new one");
    }
    for (int i = ExportFormat.TABLES.size() - 1; i >= 0; i--) { // children first
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + ExportFormat.TABLES.get(i).name())) {
        ps.executeUpdate();
      }
    }
    Counts expected = counts(header, 1);
    Map<String, Long> seen = new LinkedHashMap<>();
    ExportFormat.TABLES.forEach(t -> seen.put(t.countKey(), 0L));
    JsonNode end = null;
    int section = 0;
    long lineNumber = 1;
    try (Rows rows = new Rows(c)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (end != null) {
          throw new BackupException(file + " line " + lineNumber + ": data after the end line");
        }
        JsonNode row = parse(line, lineNumber);
        String type = row.path("type").asText();
        if (type.equals("end")) {
          end = row;
          continue;
        }
        ExportFormat.Table table = ExportFormat.section(type);
        if (table == null) {
          throw new BackupException(file + " line " + lineNumber + ": unknown type '" + type + "'");
        }
        int at = ExportFormat.TABLES.indexOf(table);
        if (at < section) {
          throw new BackupException(file + " line " + lineNumber + ": a " + type + " after a " + ExportFormat.TABLES.get(section).type()
              + "; the file is not in export order");
        }
        section = at;
        rows.add(table, row, lineNumber);
        seen.merge(table.countKey(), 1L, Long::sum);
      }
    }
    if (end == null) {
      throw new BackupException(file + " ends without its end line: it is truncated; nothing was imported");
    }
    String sha = end.path("messages_sha256").asText();
    verify(c, file, expected, counts(end, lineNumber), new Counts(seen), sha);
    ClientMsgIds.recover(c); // an export has no idempotency keys: they are derived from the messages
    if (url.kind() == DatabaseUrl.Kind.POSTGRES) {
      for (ExportFormat.Table table : GENERATED_IDS) {
        try (PreparedStatement ps = c.prepareStatement("SELECT setval(pg_get_serial_sequence(?, 'id'),"
            + " COALESCE((SELECT MAX(id) FROM " + table.name() + "), 0) + 1, false)")) {
          ps.setString(1, table.name());
          ps.executeQuery().close();
        }
      }
    }
    return new Export.Summary(expected, sha, header.path("schema_version").asText(), List.of());
  }

  private static void verify(Connection c, Path file, Counts header, Counts end, Counts read, String sha) throws SQLException {
    if (!header.equals(end) || !header.equals(read)) {
      throw new BackupException(file + " is inconsistent: its header counts " + header + ", its end line " + end
          + ", and it holds " + read + "; nothing was imported");
    }
    Counts stored = Counts.of(c);
    if (!stored.equals(header)) {
      throw new BackupException("after the import the store holds " + stored + " instead of " + header + "; nothing was imported");
    }
    String actual = MessageChecksum.of(c);
    if (!actual.equals(sha)) {
      throw new BackupException("the imported messages' checksum " + actual + " differs from the export's " + sha
          + ": the file was changed or damaged; nothing was imported");
    }
    long behind = Jdbc.count(c, "SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE m.seq > r.last_seq");
    if (behind > 0) {
      throw new BackupException(file + " has " + behind + " messages past their room's last seq; new messages would collide"
          + " with them; nothing was imported");
    }
  }

  private static Counts counts(JsonNode line, long lineNumber) {
    JsonNode counts = line.get("counts");
    if (counts == null || !counts.isObject()) {
      throw new BackupException("line " + lineNumber + " of the export has no counts");
    }
    Map<String, Long> m = new LinkedHashMap<>();
    counts.properties().forEach(e -> m.put(e.getKey(), e.getValue().asLong()));
    return Counts.fromMap(m);
  }

  private static JsonNode parse(String line, long lineNumber) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        throw new BackupException("line " + lineNumber + " of the export is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BackupException("line " + lineNumber + " of the export is not valid JSON (" + e.getOriginalMessage() + ")");
    }
  }

  /** The insert statements, batched; a batch is sent before the next table begins, so parents precede children. */
  private static final class Rows implements AutoCloseable {
    private final Connection c;
    private PreparedStatement current;
    private ExportFormat.Table currentTable;
    private int pending;

    Rows(Connection c) {
      this.c = c;
    }

    void add(ExportFormat.Table table, JsonNode row, long line) throws SQLException {
      if (table != currentTable) {
        close();
        current = c.prepareStatement(table.insert());
        currentTable = table;
      }
      List<ExportFormat.Column> columns = table.columns();
      for (int i = 0; i < columns.size(); i++) {
        ExportFormat.bind(current, i + 1, columns.get(i), ExportFormat.parse(row, columns.get(i), line));
      }
      current.addBatch();
      if (++pending == BATCH) {
        current.executeBatch();
        pending = 0;
      }
    }

    /** Sends what is batched and closes the statement. */
    @Override
    public void close() throws SQLException {
      if (current != null) {
        if (pending > 0) {
          current.executeBatch();
        }
        current.close();
        current = null;
        currentTable = null;
        pending = 0;
      }
    }
  }
}
