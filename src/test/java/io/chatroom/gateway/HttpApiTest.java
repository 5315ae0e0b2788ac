package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API's statuses and bodies, as docs/protocol.md promises them. */
class HttpApiTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Http http;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir));
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String code(Http.Response r) {
    return r.body().path("error").path("code").asText();
  }

  @Test
  void registerThenLogInCaseInsensitively() {
    Http.Response reg = http.post("/api/auth/register", null, Map.of("username", "Alice.B", "password", "correct horse"));
    assertThat(reg.status()).isEqualTo(201);
    assertThat(reg.body().path("user").path("username").asText()).isEqualTo("Alice.B");
    assertThat(reg.body().path("user").path("id").asLong()).isPositive();
    assertThat(reg.body().path("token").asText()).isNotBlank();

    Http.Response login = http.post("/api/auth/login", null, Map.of("username", "alice.b", "password", "correct horse"));
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body().path("user").path("username").asText()).isEqualTo("Alice.B");

    Http.Response taken = http.post("/api/auth/register", null, Map.of("username", "ALICE.b", "password", "whatever123"));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(code(taken)).isEqualTo("username_taken");
  }

  @Test
  void wrongPasswordAndUnknownUserGetTheSameAnswer() {
    http.register("alice");
    Http.Response wrongPassword = http.post("/api/auth/login", null, Map.of("username", "alice", "password", "not-the-one"));
    Http.Response noSuchUser = http.post("/api/auth/login", null, Map.of("username", "mallory", "password", "not-the-one"));
    assertThat(wrongPassword.status()).isEqualTo(401);
    assertThat(noSuchUser.status()).isEqualTo(401);
    assertThat(wrongPassword.body()).isEqualTo(noSuchUser.body());
    assertThat(code(wrongPassword)).isEqualTo("invalid_credentials");
  }

  @Test
  void invalidRegistrationsAreRefusedWithInvalidRequest() {
    for (Map<String, Object> body : new Map[] {
        Map.of("username", "ab", "password", "long enough"),
        Map.of("username", "x".repeat(33), "password", "long enough"),
        Map.of("username", "has space", "password", "long enough"),
        Map.of("username", "fine", "password", "short"),
        Map.of("username", "fine", "password", "p".repeat(129)),
        Map.of("username", 42, "password", "long enough"),
        Map.of("password", "long enough")}) {
      Http.Response r = http.post("/api/auth/register", null, body);
      assertThat(r.status()).as(body.toString()).isEqualTo(400);
      assertThat(code(r)).as(body.toString()).isEqualTo("invalid_request");
    }
    Http.Response notJson = http.postRaw("/api/auth/register", null, "{oops");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(code(notJson)).isEqualTo("bad_json");
  }

  @Test
  void authenticatedEndpointsNeedAValidBearerToken() {
    assertThat(http.get("/api/rooms", null).status()).isEqualTo(401);
    Http.Response forged = http.get("/api/rooms", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.forged");
    assertThat(forged.status()).isEqualTo(401);
    assertThat(code(forged)).isEqualTo("unauthorized");
    assertThat(http.post("/api/dm", null, Map.of("username", "x")).status()).isEqualTo(401);
  }

  @Test
  void roomsAreListedCreatedAndValidated() {
    String token = http.register("alice").token();
    JsonNode general = http.get("/api/rooms", token).body().path("rooms").get(0);
    assertThat(general.path("name").asText()).isEqualTo("general");
    assertThat(general.path("private").asBoolean()).isFalse();
    assertThat(general.has("topic")).isTrue();
    assertThat(general.has("members")).isTrue();
    assertThat(general.path("lastSeq").asLong()).isZero();

    Http.Response created = http.post("/api/rooms", token, Map.of("name", "book-club_2", "topic", "Novels"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().path("room").path("topic").asText()).isEqualTo("Novels");
    assertThat(created.body().path("room").path("members").asInt()).isEqualTo(1);
    assertThat(code(http.post("/api/rooms", token, Map.of("name", "book-club_2")))).isEqualTo("room_exists");
    assertThat(http.post("/api/rooms", token, Map.of("name", "book-club_2")).status()).isEqualTo(409);
    for (String bad : new String[] {"", "UPPER", "has space", "x".repeat(65), "dm-1-2"}) {
      Http.Response r = http.post("/api/rooms", token, Map.of("name", bad));
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(code(r)).isEqualTo("invalid_request");
    }
  }

  @Test
  void historyPagesAscendingWithBeforeAfterAndCappedLimit() {
    Http.Account alice = http.register("alice");
    try (WsClient c = WsClient.connect(server.port(), alice.token())) {
      c.join("general");
      for (int i = 1; i <= 210; i++) {
        c.send("general", "m" + i, "c" + i);
      }
    }
    JsonNode latest = http.get("/api/rooms/general/messages", alice.token()).body().path("messages");
    assertThat(latest).hasSize(50);
    assertThat(latest.get(0).path("seq").asLong()).isEqualTo(161);
    assertThat(latest.get(49).path("seq").asLong()).isEqualTo(210);
    assertThat(latest.get(0).path("type").asText()).isEqualTo("message");
    assertThat(latest.get(0).path("room").asText()).isEqualTo("general");
    assertThat(latest.get(0).path("from").asText()).isEqualTo("alice");

    JsonNode before = http.get("/api/rooms/general/messages?before=11&limit=3", alice.token()).body().path("messages");
    assertThat(before).extracting(m -> m.path("seq").asLong()).containsExactly(8L, 9L, 10L);
    JsonNode after = http.get("/api/rooms/general/messages?after=200", alice.token()).body().path("messages");
    assertThat(after).extracting(m -> m.path("seq").asLong()).containsExactly(201L, 202L, 203L, 204L, 205L, 206L, 207L, 208L, 209L, 210L);
    assertThat(http.get("/api/rooms/general/messages?limit=1000", alice.token()).body().path("messages")).hasSize(200);

    assertThat(http.get("/api/rooms/general/messages?limit=abc", alice.token()).status()).isEqualTo(400);
    assertThat(http.get("/api/rooms/general/messages?limit=0", alice.token()).status()).isEqualTo(400);
    Http.Response missing = http.get("/api/rooms/nowhere/messages", alice.token());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(code(missing)).isEqualTo("room_not_found");
  }

  @Test
  void addingAMemberNeedsMembershipAndAnExistingUser() {
    String alice = http.register("alice").token();
    String bob = http.register("bob").token();
    http.register("carol");
    http.post("/api/rooms", alice, Map.of("name", "inner", "private", true));
    Http.Response outsider = http.post("/api/rooms/inner/members", bob, Map.of("username", "carol"));
    assertThat(outsider.status()).isEqualTo(403);
    assertThat(code(outsider)).isEqualTo("forbidden");
    Http.Response nobody = http.post("/api/rooms/inner/members", alice, Map.of("username", "nobody"));
    assertThat(nobody.status()).isEqualTo(404);
    assertThat(code(nobody)).isEqualTo("user_not_found");
    Http.Response added = http.post("/api/rooms/inner/members", alice, Map.of("username", "carol"));
    assertThat(added.status()).isEqualTo(200);
    assertThat(added.body().path("room").path("members").asInt()).isEqualTo(2);
    assertThat(http.get("/api/rooms", bob).body().path("rooms")).extracting(r -> r.path("name").asText()).doesNotContain("inner");
  }

  @Test
  void healthReportsTheDatabase() {
    Http.Response health = http.get("/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().path("status").asText()).isEqualTo("UP");
    assertThat(health.body().path("checks").path("database").path("status").asText()).isEqualTo("UP");
    assertThat(health.body().path("timestamp").asText()).isNotBlank();
    assertThat(health.body().path("version").asText()).isNotBlank();
  }

  @Test
  void unknownEndpointsAndHugeBodiesGetJsonErrors() {
    Http.Response unknown = http.get("/api/nothing-here", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("not_found");
    Http.Response huge = http.postRaw("/api/auth/register", null, "{\"username\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(code(huge)).isEqualTo("payload_too_large");
  }

  @Test
  void theApiIsRateLimitedPerUserWithRetryAfter() {
    server.close();
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir),
        Map.of("CHATROOM_API_RATE", "0.2", "CHATROOM_API_BURST", "3"));
    http = server.http();
    Http.Account alice = http.register("alice"); // the registration took one of this address's 3
    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/api/rooms", alice.token()).status()).as("alice's own budget, request " + i).isEqualTo(200);
    }
    Http.Response limited = http.get("/api/rooms", alice.token());
    assertThat(limited.status()).isEqualTo(429);
    assertThat(code(limited)).isEqualTo("rate_limited");
    Http.TextResponse raw = http.getText("/api/rooms", alice.token());
    assertThat(raw.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isBetween(1L, 5L));
    assertThat(http.get("/health", null).status()).as("probes are not API calls").isEqualTo(200);
  }
}
