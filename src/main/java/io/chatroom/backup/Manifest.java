package io.chatroom.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backup holds, written beside it as {@code <backup>.manifest.json} and listed in its checksum file:
 * the row counts and message checksum of the very snapshot the backup was taken from. A restore is
 * reported successful only when the restored store shows the same.
 *
 * @param kind          {@link BackupName.Kind#label()}
 * @param source        the store it was taken from, without password
 * @param schema        the PostgreSQL schema dumped (a dump restores into the schema it was taken from); null on SQLite
 * @param schemaVersion the highest migration applied to the source
 * @param checksumColumns the message columns {@code messagesSha256} covers, in order ({@link MessageChecksum})
 */
record Manifest(String kind, Instant createdAt, String source, String schema, String schemaVersion, Counts counts,
    String messagesSha256, List<String> checksumColumns) {
  static final String FORMAT = "chatroom-backup";
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  Path write(Path backup) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("version", VERSION);
    m.put("kind", kind);
    m.put("created_at", createdAt.toString());
    m.put("source", source);
    m.put("schema", schema);
    m.put("schema_version", schemaVersion);
    m.put("counts", counts.rows());
    m.put("messages_sha256", messagesSha256);
    m.put("messages_sha256_columns", checksumColumns);
    Path file = BackupName.manifestOf(backup);
    Files.writeString(file, JSON.writeValueAsString(m) + "\n");
    return file;
  }

  /** The manifest beside {@code backup}; a missing or unreadable one is a {@link BackupException}. */
  static Manifest read(Path backup) throws IOException {
    Path file = BackupName.manifestOf(backup);
    if (!Files.isRegularFile(file)) {
      throw new BackupException("no manifest " + file.getFileName() + " next to " + backup.getFileName()
          + "; copy it along with the backup (it records what the backup holds)");
    }
    JsonNode m;
    try {
      m = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new BackupException(file.getFileName() + " is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (!FORMAT.equals(m.path("format").asText()) || m.path("version").asInt() < 1) {
      throw new BackupException(file.getFileName() + " is not a chatroom backup manifest");
    }
    if (m.path("version").asInt() > VERSION) {
      throw new BackupException(file.getFileName() + " has version " + m.path("version").asInt()
          + ", newer than this chatroom reads (" + VERSION + "); restore with the chatroom version that made it");
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    m.path("counts").properties().forEach(e -> counts.put(e.getKey(), e.getValue().asLong()));
    List<String> columns = new ArrayList<>();
    m.path("messages_sha256_columns").forEach(c -> columns.add(c.asText()));
    if (counts.isEmpty() || columns.isEmpty() || m.path("messages_sha256").asText().isEmpty()) {
      throw new BackupException(file.getFileName() + " does not record the backup's counts and checksum");
    }
    return new Manifest(m.path("kind").asText(), Instant.parse(m.path("created_at").asText()), m.path("source").asText(),
        m.path("schema").isNull() ? null : m.path("schema").asText(null), m.path("schema_version").asText(),
        new Counts(counts), m.path("messages_sha256").asText(), List.copyOf(columns));
  }
}
