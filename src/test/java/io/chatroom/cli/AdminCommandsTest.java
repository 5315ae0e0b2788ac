package io.chatroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Await;
import io.chatroom.testing.Cli;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The administration commands against a running single node (SQLite, no Redis), as an operator runs them
 * beside it: what they change is what the API then shows. Without Redis the CLI cannot tell the node, so
 * changes to sessions are awaited within the node's cache lifetime (6 s) plus its session check (2 s).
 */
class AdminCommandsTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Http http;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), Map.of("ADMIN_USERS", "root"));
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The command line with the node's store. */
  private String[] args(String... command) {
    return Stream.concat(Stream.of(command),
        Stream.of("--data-dir", dataDir.toString(), "--database-url", "sqlite:" + dataDir.resolve("test.db"))).toArray(String[]::new);
  }

  private Cli.Result cli(String... command) {
    return Cli.run(args(command));
  }

  private Http.Response login(String username, String password) {
    return http.post("/api/auth/login", null, Map.of("username", username, "password", password));
  }

  private static String code(Http.Response r) {
    return r.body().path("error").path("code").asText();
  }

  /** Frames until an error, which it returns; fails if the socket closes first without one. */
  private static JsonNode nextError(WsClient ws) {
    return ws.next("error");
  }

  @Test
  void userAddCreatesAnAccountThatSignsInWithThePasswordFromStdin() {
    Cli.Result added = Cli.withStdin("dora-secret-1\n", args("user", "add", "Dora", "--password-stdin"));
    assertThat(added.code()).as(added.err()).isEqualTo(0);
    assertThat(added.out()).contains("created user Dora");
    Http.Response in = login("dora", "dora-secret-1");
    assertThat(in.status()).isEqualTo(200);
    assertThat(http.get("/api/rooms", in.body().path("token").asText()).status()).isEqualTo(200);

    Cli.Result taken = Cli.withStdin("another-pass\n", args("user", "add", "DORA", "--password-stdin"));
    assertThat(taken.code()).isEqualTo(1);
    assertThat(taken.err()).contains("taken");
    Cli.Result tooShort = Cli.withStdin("short\n", args("user", "add", "ed", "--password-stdin"));
    assertThat(tooShort.code()).isEqualTo(1);
    assertThat(tooShort.err()).contains("username must be 3-32");
    Cli.Result weak = Cli.withStdin("short\n", args("user", "add", "eddie", "--password-stdin"));
    assertThat(weak.err()).contains("password must be 8-128 characters");
    Cli.Result none = Cli.withStdin("", args("user", "add", "frida", "--password-stdin"));
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("no password on stdin");
    assertThat(login("eddie", "short").status()).isEqualTo(401);
  }

  @Test
  void disableRefusesSignInAndEveryTokenAndClosesLiveSessionsUntilEnabled() {
    Http.Account alice = http.register("alice");
    try (WsClient live = WsClient.connect(server.port(), alice.token())) {
      live.join("general");
      assertThat(http.get("/api/rooms", alice.token()).status()).isEqualTo(200);

      Cli.Result disabled = cli("user", "disable", "alice");
      assertThat(disabled.code()).as(disabled.err()).isEqualTo(0);
      assertThat(disabled.out()).contains("alice is disabled");

      Http.Response refused = login("alice", "password-alice");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(code(refused)).isEqualTo("forbidden");
      assertThat(refused.body().path("error").path("message").asText()).contains("disabled");
      Await.until(() -> http.get("/api/rooms", alice.token()).status() == 401);
      assertThat(code(http.get("/api/rooms", alice.token()))).isEqualTo("unauthorized");
      try (WsClient again = WsClient.connect(server.port())) {
        JsonNode hello = again.hello(alice.token());
        assertThat(hello.path("code").asText()).isEqualTo("unauthorized");
        assertThat(hello.path("message").asText()).contains("disabled");
        assertThat(again.awaitClose()).isEqualTo(1008);
      }
      JsonNode ended = nextError(live);
      assertThat(ended.path("code").asText()).isEqualTo("unauthorized");
      assertThat(live.awaitClose()).isEqualTo(1008);
    }

    assertThat(cli("user", "enable", "alice").code()).isEqualTo(0);
    Http.Response back = login("alice", "password-alice");
    assertThat(back.status()).as("enabled: signs in at once, the node's cached 'disabled' notwithstanding").isEqualTo(200);
    String fresh = back.body().path("token").asText();
    assertThat(http.get("/api/rooms", fresh).status()).isEqualTo(200);
    try (WsClient ws = WsClient.connect(server.port(), fresh)) {
      assertThat(ws.join("general").path("type").asText()).isEqualTo("ok");
    }
    assertThat(http.get("/api/rooms", alice.token()).status()).as("sessions from before the disable stay signed out").isEqualTo(401);
    assertThat(cli("user", "disable", "nobody").code()).isEqualTo(1);
  }

  @Test
  void resetPasswordSignsEverySessionOutAndTheNewPasswordWorks() {
    Http.Account bob = http.register("bob");
    assertThat(http.get("/api/rooms", bob.token()).status()).isEqualTo(200);
    Cli.Result reset = Cli.withStdin("bobs-new-password\n", args("user", "reset-password", "bob", "--password-stdin"));
    assertThat(reset.code()).as(reset.err()).isEqualTo(0);

    assertThat(login("bob", "password-bob").status()).isEqualTo(401);
    Http.Response in = login("bob", "bobs-new-password");
    assertThat(in.status()).isEqualTo(200);
    String fresh = in.body().path("token").asText();
    assertThat(http.get("/api/rooms", fresh).status()).as("a token issued right after the reset counts").isEqualTo(200);
    Await.until(() -> http.get("/api/rooms", bob.token()).status() == 401);
    try (WsClient ws = WsClient.connect(server.port())) {
      assertThat(ws.hello(bob.token()).path("code").asText()).isEqualTo("unauthorized");
    }
    assertThat(http.get("/api/rooms", fresh).status()).isEqualTo(200);
  }

  @Test
  void roomDeleteTakesTheRoomWithItsMembersAndMessagesAndJoinsNoLongerBringItBack() {
    Http.Account carol = http.register("carol");
    Http.Account dave = http.register("dave");
    try (WsClient c = WsClient.connect(server.port(), carol.token()); WsClient d = WsClient.connect(server.port(), dave.token())) {
      c.join("book-club");
      d.join("book-club");
      c.send("book-club", "first", "m1");
      c.send("book-club", "second", "m2");
      assertThat(rowOf(cli("room", "list").out(), "book-club")).containsExactly("book-club", "no", "2", "2");

      Cli.Result declined = Cli.withStdin("no\n", args("room", "delete", "book-club"));
      assertThat(declined.code()).isEqualTo(1);
      assertThat(declined.err()).contains("Type the room's name to confirm").contains("not deleted");
      assertThat(rowOf(cli("room", "list").out(), "book-club")).isNotNull();

      Cli.Result deleted = Cli.withStdin("book-club\n", args("room", "delete", "book-club"));
      assertThat(deleted.code()).as(deleted.err()).isEqualTo(0);
      assertThat(deleted.out()).contains("deleted room book-club (2 members, 2 messages)");
      assertThat(rowOf(cli("room", "list").out(), "book-club")).isNull();

      JsonNode send = c.send("book-club", "anyone?", "m3");
      assertThat(send.path("code").asText()).as("a session that still held the room").isEqualTo("room_not_found");
    }
    try (WsClient again = WsClient.connect(server.port(), dave.token())) {
      assertThat(again.join("book-club").path("code").asText()).as("joining does not create it again").isEqualTo("room_not_found");
    }
    assertThat(cli("room", "delete", "general", "--yes").code()).isEqualTo(1);
    assertThat(cli("room", "delete", "ops", "--yes").err()).contains("cannot be deleted");
    assertThat(cli("room", "delete", "nowhere", "--yes").err()).contains("no room named 'nowhere'");
  }

  @Test
  void listsShowEveryUserAndRoomWithTheirState() {
    http.register("root");
    http.register("erin");
    http.register("frank");
    assertThat(cli("user", "promote", "frank").code()).isEqualTo(0);
    assertThat(cli("user", "disable", "erin").code()).isEqualTo(0);

    Cli.Result users = cli("user", "list");
    assertThat(users.code()).isEqualTo(0);
    assertThat(users.out().lines().findFirst().orElseThrow().split("\\s{2,}")).containsExactly("NAME", "ID", "ADMIN", "DISABLED", "CREATED");
    assertThat(rowOf(users.out(), "root")[2]).as("ADMIN_USERS of the node, not of this process").isEqualTo("no");
    assertThat(rowOf(users.out(), "frank")[2]).isEqualTo("yes");
    assertThat(rowOf(users.out(), "frank")[3]).isEqualTo("no");
    assertThat(rowOf(users.out(), "erin")[2]).isEqualTo("no");
    assertThat(rowOf(users.out(), "erin")[3]).startsWith("since 20");
    assertThat(rowOf(users.out(), "system")).as("the built-in author is no account").isNull();

    Cli.Result rooms = cli("room", "list");
    assertThat(rooms.out().lines().findFirst().orElseThrow().split("\\s{2,}")).containsExactly("NAME", "PRIVATE", "MEMBERS", "MESSAGES");
    assertThat(rowOf(rooms.out(), "general")).containsExactly("general", "no", "0", "0");
    assertThat(rowOf(rooms.out(), "ops")).containsExactly("ops", "yes", "2", "0");
  }

  @Test
  void everyCommandLineChangeIsAuditedAndTheAdminApiShowsThemNewestFirst() {
    Http.Account root = http.register("root");
    Http.Account gina = http.register("gina");
    try (WsClient ws = WsClient.connect(server.port(), gina.token())) {
      ws.join("garden");
    }
    assertThat(Cli.withStdin("henry-password\n", args("user", "add", "henry", "--password-stdin")).code()).isEqualTo(0);
    assertThat(cli("user", "promote", "henry").code()).isEqualTo(0);
    assertThat(cli("user", "demote", "henry").code()).isEqualTo(0);
    assertThat(cli("user", "disable", "gina").code()).isEqualTo(0);
    assertThat(cli("user", "enable", "gina").code()).isEqualTo(0);
    assertThat(Cli.withStdin("ginas-new-password\n", args("user", "reset-password", "gina", "--password-stdin")).code()).isEqualTo(0);
    assertThat(cli("room", "delete", "garden", "--yes").code()).isEqualTo(0);

    Http.Response audit = http.get("/api/admin/audit", root.token());
    assertThat(audit.status()).isEqualTo(200);
    List<String> actions = new ArrayList<>();
    audit.body().path("events").forEach(e -> actions.add(e.path("action").asText() + " " + e.path("target").asText()));
    assertThat(actions).containsExactly("room.delete garden", "user.reset_password gina", "user.enable gina", "user.disable gina",
        "user.demote henry", "user.promote henry", "user.add henry");
    JsonNode newest = audit.body().path("events").get(0);
    assertThat(newest.path("actor").asText()).isEqualTo("cli:" + System.getProperty("user.name"));
    assertThat(newest.path("origin").asText()).isNotBlank();
    assertThat(newest.path("detail").path("members").asInt()).isEqualTo(1);
    assertThat(newest.path("ts").asLong()).isPositive();
    assertThat(audit.body().toString()).doesNotContain("ginas-new-password").doesNotContain("henry-password");

    long secondId = audit.body().path("events").get(1).path("id").asLong();
    Http.Response page = http.get("/api/admin/audit?limit=2&before=" + secondId, root.token());
    assertThat(page.body().path("events")).hasSize(2);
    assertThat(page.body().path("events").get(0).path("action").asText()).isEqualTo("user.enable");
    assertThat(page.body().path("events").get(0).path("id").asLong()).isLessThan(secondId);

    Http.Response notAdmin = http.get("/api/admin/audit", http.register("ivan").token());
    assertThat(notAdmin.status()).isEqualTo(403);
    assertThat(code(notAdmin)).isEqualTo("forbidden");
    assertThat(http.get("/api/admin/audit?limit=0", root.token()).status()).isEqualTo(400);
  }

  /** The cells of the table row whose first cell is {@code name}, or null. */
  private static String[] rowOf(String table, String name) {
    return table.lines().map(l -> l.split("\\s{2,}")).filter(cells -> cells[0].equals(name)).findFirst().orElse(null);
  }
}
