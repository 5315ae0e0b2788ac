package io.chatroom.backup;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.config.DatabaseUrl;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented way from one node to many: export an SQLite store, import it into an empty PostgreSQL one.
 * Nothing may change on the way: every row, every id and seq, the message checksum; and people sign in with
 * their old passwords and resume where they were.
 */
class ExportImportTest {
  private static final List<String> TEXTS = List.of("hello", "unicode: żółć 你好 🎉", "quotes \" and \\ and\nnewlines\ttabs",
      "<img src=x onerror=alert(1)>", "x".repeat(4_000));

  @TempDir
  Path dir;

  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() throws Exception {
    await(vertx.close());
  }

  @Test
  void sqliteToPostgresIsExactAndPeopleSignInAndResumeAfterwards() throws Exception {
    Path sqliteDir = Files.createDirectories(dir.resolve("sqlite"));
    TestDatabases.Isolated sqlite = TestDatabases.create(TestDatabases.Kind.SQLITE, sqliteDir);
    Path file = dir.resolve("move.jsonl.gz");
    Export.Summary exported;
    try (TestServer server = TestServer.start(sqliteDir, sqlite)) {
      chat(server);
      administer(sqlite.url());
      exported = Export.toFile(sqlite.url(), null, file);
    }
    assertThat(exported.counts().rows()).containsEntry("messages", (long) (3 * TEXTS.size() + 2)).containsEntry("audit_events", 1L)
        .containsEntry("deleted_rooms", 1L);
    assertThat(header(file)).contains("\"format\":\"chatroom-export\"", "\"version\":1", "\"counts\":{\"users\":");

    TestDatabases.Isolated postgres = TestDatabases.create(TestDatabases.Kind.POSTGRES, dir);
    Export.Summary imported = Import.run(vertx, file, postgres.url(), postgres.schema(), false);
    assertThat(imported.counts()).isEqualTo(exported.counts());
    for (String sql : StoreRows.ALL) {
      assertThat(StoreRows.query(postgres.url(), postgres.schema(), sql)).as(sql)
          .isEqualTo(StoreRows.query(sqlite.url(), null, sql)).isNotEmpty();
    }
    try (Connection pg = Jdbc.connect(postgres.url(), postgres.schema()); Connection lite = Jdbc.connect(sqlite.url(), null)) {
      assertThat(MessageChecksum.of(pg)).isEqualTo(MessageChecksum.of(lite)).isEqualTo(exported.messagesSha256());
    }

    assertThatThrownBy(() -> Import.run(vertx, file, postgres.url(), postgres.schema(), false))
        .isInstanceOf(BackupException.class).hasMessageContaining("the target store is not empty");
    assertThat(StoreRows.query(postgres.url(), postgres.schema(), StoreRows.MESSAGES))
        .isEqualTo(StoreRows.query(sqlite.url(), null, StoreRows.MESSAGES));

    try (TestServer server = TestServer.start(dir, postgres)) {
      Http http = server.http();
      Http.Response login = http.post("/api/auth/login", null, Map.of("username", "alice", "password", "password-alice"));
      assertThat(login.status()).as("login with the old password: %s", login.body()).isEqualTo(200);
      List<List<Object>> general = StoreRows.query(sqlite.url(), null,
          "SELECT m.seq, u.username, m.body FROM messages m JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.user_id"
              + " WHERE r.name = 'general' AND m.seq > 2 ORDER BY m.seq");
      try (WsClient alice = WsClient.connect(server.port(), login.body().get("token").asText())) {
        JsonNode ok = alice.join("general", 2);
        assertThat(ok.path("type").asText()).isEqualTo("ok");
        long lastSeq = ok.path("lastSeq").asLong();
        List<List<Object>> resumed = new ArrayList<>();
        for (JsonNode m : alice.messages("general", general.size())) {
          resumed.add(List.of(m.path("seq").asLong(), m.path("from").asText(), m.path("text").asText()));
        }
        assertThat(resumed).isEqualTo(general);
        assertThat(lastSeq).isEqualTo(general.get(general.size() - 1).get(0));
        assertThat(alice.send("general", "first on PostgreSQL", "pg-1").path("seq").asLong()).isEqualTo(lastSeq + 1);
      }
      // the identity sequences moved past the imported ids, so a new account gets a free one
      assertThat(http.post("/api/auth/register", null, Map.of("username", "dave", "password", "password-dave")).status())
          .isEqualTo(201);
      assertThat(http.post("/api/rooms", http.register("erin").token(), Map.of("name", "fresh", "topic", "")).status())
          .isEqualTo(201);
    }
  }

  @Test
  void aTruncatedExportImportsNothing() throws Exception {
    Path file = exportOfSmallStore();
    List<String> lines = lines(file);
    writeLines(file, lines.subList(0, lines.size() - 1));
    DatabaseUrl target = DatabaseUrl.sqlite(dir.resolve("target/chatroom.db"));
    assertThatThrownBy(() -> Import.run(vertx, file, target, null, false)).isInstanceOf(BackupException.class)
        .hasMessage(file + " ends without its end line: it is truncated; nothing was imported");
    assertEmpty(target);
  }

  @Test
  void aChangedMessageFailsTheChecksumAndImportsNothing() throws Exception {
    Path file = exportOfSmallStore();
    List<String> lines = new ArrayList<>(lines(file));
    int i = lines.indexOf(lines.stream().filter(l -> l.contains("\"body\":\"message 7 from alice\"")).findFirst().orElseThrow());
    lines.set(i, lines.get(i).replace("message 7 from alice", "message 7 from mallory"));
    writeLines(file, lines);
    DatabaseUrl target = DatabaseUrl.sqlite(dir.resolve("target/chatroom.db"));
    assertThatThrownBy(() -> Import.run(vertx, file, target, null, false)).isInstanceOf(BackupException.class)
        .hasMessageContaining("differs from the export's").hasMessageEndingWith("the file was changed or damaged; nothing was imported");
    assertEmpty(target);
  }

  @Test
  void aMissingLineMakesTheCountsDisagreeAndImportsNothing() throws Exception {
    Path file = exportOfSmallStore();
    List<String> lines = new ArrayList<>(lines(file));
    lines.removeIf(l -> l.contains("\"client_msg_id\":\"alice-3\""));
    writeLines(file, lines);
    DatabaseUrl target = DatabaseUrl.sqlite(dir.resolve("target/chatroom.db"));
    assertThatThrownBy(() -> Import.run(vertx, file, target, null, false)).isInstanceOf(BackupException.class)
        .hasMessageContaining("is inconsistent").hasMessageContaining("it holds 3 users, 2 rooms, 1 memberships, 9 messages");
    assertEmpty(target);
  }

  @Test
  void anExportWithItsChecksumFileIsCheckedBeforeImport() throws Exception {
    Path file = exportOfSmallStore();
    Export.writeChecksum(file);
    assertThat(Files.readString(BackupName.checksumOf(file))).matches("[0-9a-f]{64}  " + file.getFileName() + "\n");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    DatabaseUrl target = DatabaseUrl.sqlite(dir.resolve("target/chatroom.db"));
    assertThatThrownBy(() -> Import.run(vertx, file, target, null, false)).isInstanceOf(BackupException.class)
        .hasMessageStartingWith("checksum mismatch for " + file.getFileName());
  }

  /** Users, a private room with a member, a DM, and messages with and without clientMsgIds. */
  private static void chat(TestServer server) {
    Http http = server.http();
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    http.register("carol");
    assertThat(http.post("/api/rooms", alice.token(), Map.of("name", "secret", "topic", "plans", "private", true)).status()).isEqualTo(201);
    assertThat(http.post("/api/rooms/secret/members", alice.token(), Map.of("username", "bob")).status()).isEqualTo(200);
    String dm = http.post("/api/dm", alice.token(), Map.of("username", "bob")).body().path("room").path("name").asText();
    try (WsClient a = WsClient.connect(server.port(), alice.token()); WsClient b = WsClient.connect(server.port(), bob.token())) {
      assertThat(a.join("general").path("type").asText()).isEqualTo("ok");
      assertThat(b.join("secret").path("type").asText()).isEqualTo("ok");
      assertThat(a.join(dm).path("type").asText()).isEqualTo("ok");
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(a.send("general", TEXTS.get(i), "a-" + i).path("type").asText()).isEqualTo("ok");
        assertThat(b.send("secret", TEXTS.get(i), "b-" + i).path("type").asText()).isEqualTo("ok");
        assertThat(a.send(dm, TEXTS.get(i), "d-" + i).path("type").asText()).isEqualTo("ok");
      }
      assertThat(a.request("send", "room", "general", "text", "no client id").path("type").asText()).isEqualTo("ok");
      assertThat(b.request("send", "room", "secret", "text", "no client id either").path("type").asText()).isEqualTo("ok");
    }
  }

  /**
   * What operators (and the assistant) do besides chatting: an admin, a disabled account, a signed-out user, an
   * audit record, a deleted room, an interrupted answer.
   */
  private static void administer(DatabaseUrl url) throws Exception {
    try (Connection c = Jdbc.connect(url, null)) {
      for (String sql : List.of(
          "UPDATE users SET is_admin = TRUE WHERE username = 'alice'",
          "UPDATE users SET disabled_at = 1795555743000 WHERE username = 'carol'",
          "UPDATE users SET sessions_valid_after = 1795555743001 WHERE username = 'bob'",
          "INSERT INTO audit_events (ts, actor, action, target, detail, origin) VALUES (1795555743002, 'cli:root', 'user.disable', 'carol', '{}', 'host')",
          "INSERT INTO deleted_rooms (name, deleted_at) VALUES ('old-room', 1795555743003)",
          "UPDATE messages SET reply_to = 1, interrupted = TRUE WHERE client_msg_id = 'a-1'")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.executeUpdate();
        }
      }
    }
  }

  private Path exportOfSmallStore() throws Exception {
    DatabaseUrl source = DatabaseUrl.sqlite(dir.resolve("source/chatroom.db"));
    Fixtures.populate(source, null, "alice", 10);
    Path file = dir.resolve("small.jsonl");
    Export.toFile(source, null, file);
    return file;
  }

  private static void assertEmpty(DatabaseUrl target) throws Exception {
    try (Connection c = Jdbc.connect(target, null)) {
      assertThat(Counts.isEmpty(c)).as("the target holds %s", Counts.of(c)).isTrue();
    }
  }

  private static String header(Path gz) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
      return r.readLine();
    }
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private static void writeLines(Path file, List<String> lines) throws Exception {
    Files.write(file, lines, StandardCharsets.UTF_8);
  }
}
