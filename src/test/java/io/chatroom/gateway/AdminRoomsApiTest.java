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

/** {@code DELETE /api/admin/rooms/{name}}: deleting a room from inside a node takes effect there at once. */
class AdminRoomsApiTest {
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

  private static String code(Http.Response r) {
    return r.body().path("error").path("code").asText();
  }

  @Test
  void anAdminDeletesARoomAndItsSessionsJoinsAndHistoryGoAtOnce() {
    Http.Account root = http.register("root");
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    try (WsClient a = WsClient.connect(server.port(), alice.token())) {
      a.join("book-club");
      a.send("book-club", "hello", "m1");
      // the node now holds the room's identity in its cache: the deletion must take it out
      assertThat(http.get("/api/rooms/book-club/messages", bob.token()).status()).isEqualTo(200);

      Http.Response notAdmin = http.delete("/api/admin/rooms/book-club", bob.token());
      assertThat(notAdmin.status()).isEqualTo(403);
      assertThat(code(notAdmin)).isEqualTo("forbidden");
      assertThat(code(http.delete("/api/admin/rooms/general", root.token()))).isEqualTo("forbidden");
      assertThat(http.delete("/api/admin/rooms/ops", root.token()).status()).isEqualTo(403);
      Http.Response unknown = http.delete("/api/admin/rooms/nowhere", root.token());
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(code(unknown)).isEqualTo("room_not_found");

      Http.Response deleted = http.delete("/api/admin/rooms/book-club", root.token());
      assertThat(deleted.status()).isEqualTo(200);
      assertThat(deleted.body().toString()).isEqualTo("{\"deleted\":\"book-club\",\"members\":1,\"messages\":1}");

      JsonNode told = a.next("room_deleted");
      assertThat(told.path("room").asText()).isEqualTo("book-club");
      assertThat(a.send("book-club", "still here?", "m2").path("code").asText()).isEqualTo("not_member");
      assertThat(a.join("book-club").path("code").asText()).isEqualTo("room_not_found");
    }
    Http.Response history = http.get("/api/rooms/book-club/messages", bob.token());
    assertThat(history.status()).isEqualTo(404);
    assertThat(code(history)).isEqualTo("room_not_found");
    assertThat(http.get("/api/rooms", alice.token()).body().toString()).doesNotContain("book-club");

    Http.Response recreated = http.post("/api/rooms", bob.token(), Map.of("name", "book-club"));
    assertThat(recreated.status()).as("creating it on purpose is allowed").isEqualTo(201);
    assertThat(recreated.body().path("room").path("lastSeq").asLong()).isZero();
    try (WsClient a = WsClient.connect(server.port(), alice.token())) {
      assertThat(a.join("book-club").path("lastSeq").asLong()).isZero();
    }

    JsonNode event = http.get("/api/admin/audit", root.token()).body().path("events").get(0);
    assertThat(event.path("action").asText()).isEqualTo("room.delete");
    assertThat(event.path("target").asText()).isEqualTo("book-club");
    assertThat(event.path("actor").asText()).isEqualTo("root");
    assertThat(event.path("origin").asText()).isEqualTo("127.0.0.1");
    assertThat(event.path("detail").toString()).isEqualTo("{\"members\":1,\"messages\":1}");
    assertThat(http.get("/api/admin/audit", bob.token()).status()).isEqualTo(403);
  }
}
