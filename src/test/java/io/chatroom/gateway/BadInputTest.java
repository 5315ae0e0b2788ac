package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Http;
import io.chatroom.testing.RawWebSocket;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error code and never costs the client its connection, unless the protocol says so. */
class BadInputTest {
  @TempDir
  Path dataDir;
  TestServer server;

  TestServer start(Map<String, String> env) {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), env);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  WsClient signedIn() {
    Http.Account alice = server.http().register("alice");
    return WsClient.connect(server.port(), alice.token());
  }

  @Test
  void malformedFramesGetErrorCodesAndTheConnectionStaysUsable() {
    start(Map.of());
    try (WsClient c = signedIn()) {
      c.sendRaw("{not json");
      assertThat(c.next().path("code").asText()).isEqualTo("bad_json");
      c.sendRaw("[1,2]");
      assertThat(c.next().path("code").asText()).isEqualTo("invalid_request");
      c.sendRaw("{\"type\":\"dance\",\"id\":7}");
      JsonNode unknown = c.next();
      assertThat(unknown.path("code").asText()).isEqualTo("unknown_type");
      assertThat(unknown.path("id").asInt()).isEqualTo(7);
      c.sendRaw("{\"type\":\"join\",\"id\":\"a\"}");
      JsonNode missing = c.next();
      assertThat(missing.path("code").asText()).isEqualTo("invalid_request");
      assertThat(missing.path("id").asText()).isEqualTo("a");
      c.sendRaw("{\"type\":\"join\",\"id\":\"b\",\"room\":5}");
      assertThat(c.next().path("code").asText()).isEqualTo("invalid_request");
      c.sendRaw("{\"type\":\"join\",\"id\":\"c\",\"room\":\"general\",\"since\":\"10\"}");
      assertThat(c.next().path("code").asText()).isEqualTo("invalid_request");
      assertThat(c.join("Not A Room!").path("code").asText()).isEqualTo("invalid_request");
      assertThat(c.request("ping").path("type").asText()).isEqualTo("ok");
      assertThat(c.isClosed()).isFalse();
    }
  }

  @Test
  void sendIsCheckedBeforeAnythingIsStored() {
    start(Map.of());
    try (WsClient c = signedIn()) {
      assertThat(c.send("general", "hi", "x").path("code").asText()).isEqualTo("not_member");
      c.join("general");
      assertThat(c.send("general", "", "e1").path("code").asText()).isEqualTo("empty_message");
      assertThat(c.send("general", "   \n ", "e2").path("code").asText()).isEqualTo("empty_message");
      assertThat(c.send("general", "x".repeat(4001), "e3").path("code").asText()).isEqualTo("message_too_long");
      assertThat(c.send("general", "x".repeat(4000), "e4").path("seq").asLong()).isEqualTo(1);
      assertThat(c.request("history", "room", "nowhere").path("code").asText()).isEqualTo("room_not_found");
      c.sendRaw("{\"type\":\"hello\",\"token\":\"again\"}");
      assertThat(c.next("error").path("code").asText()).isEqualTo("invalid_request");
    }
  }

  @Test
  void lengthIsCountedInCharactersAsUsersSeeThem() throws Exception {
    start(Map.of());
    String token = server.http().register("alice").token();
    // a plain socket: the JDK WebSocket client stalled on surrogate pairs in this test
    try (RawWebSocket raw = new RawWebSocket(server.port(), 0)) {
      raw.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      raw.read();
      raw.sendText("{\"type\":\"join\",\"id\":1,\"room\":\"general\"}");
      assertThat(raw.read().text()).contains("\"ok\"");
      String emoji = "\uD83D\uDE00";
      raw.sendText("{\"type\":\"send\",\"id\":2,\"room\":\"general\",\"text\":\"" + emoji.repeat(4000) + "\"}");
      assertThat(nextReply(raw)).as("4000 emoji are 4000 characters, though 8000 UTF-16 units").contains("\"seq\":1");
      raw.sendText("{\"type\":\"send\",\"id\":3,\"room\":\"general\",\"text\":\"" + emoji.repeat(4001) + "\"}");
      assertThat(nextReply(raw)).contains("message_too_long");
    }
  }

  private static String nextReply(RawWebSocket raw) throws Exception {
    while (true) {
      String text = raw.read().text();
      if (text.contains("\"id\"")) {
        return text;
      }
    }
  }

  @Test
  void badTokenIsRefusedWithUnauthorizedThenClose1008() {
    start(Map.of());
    try (WsClient c = WsClient.connect(server.port())) {
      JsonNode refused = c.hello("not-a-token");
      assertThat(refused.path("type").asText()).isEqualTo("error");
      assertThat(refused.path("code").asText()).isEqualTo("unauthorized");
      assertThat(c.awaitClose()).isEqualTo(1008);
    }
  }

  @Test
  void anyFrameBeforeHelloIsRefusedWithClose1008() {
    start(Map.of());
    try (WsClient c = WsClient.connect(server.port())) {
      c.sendRaw("{\"type\":\"join\",\"id\":1,\"room\":\"general\"}");
      assertThat(c.next().path("code").asText()).isEqualTo("unauthorized");
      assertThat(c.awaitClose()).isEqualTo(1008);
    }
  }

  @Test
  void frameOver64KiBClosesWith1009() throws Exception {
    start(Map.of());
    String token = server.http().register("alice").token();
    try (RawWebSocket raw = new RawWebSocket(server.port(), 0)) {
      raw.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      assertThat(raw.read().text()).contains("welcome");
      raw.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
      assertThat(raw.readUntilClose()).isEqualTo(1009);
    }
  }

  @Test
  void rateLimitAnswersRateLimitedWithRetryAfter() throws Exception {
    start(Map.of("CHATROOM_WS_RATE", "5", "CHATROOM_WS_BURST", "5"));
    try (WsClient c = signedIn()) {
      // hello took one token; four more pass, the next is refused
      for (int i = 0; i < 4; i++) {
        assertThat(c.request("ping").path("type").asText()).isEqualTo("ok");
      }
      c.sendRaw("{\"type\":\"ping\",\"id\":\"over\"}");
      JsonNode limited = c.next();
      assertThat(limited.path("code").asText()).isEqualTo("rate_limited");
      assertThat(limited.path("id").asText()).as("the refusal names the refused request").isEqualTo("over");
      long retryAfter = limited.path("retryAfterMs").asLong();
      assertThat(retryAfter).isBetween(1L, 200L);
      Thread.sleep(retryAfter + 20);
      assertThat(c.request("ping").path("type").asText()).isEqualTo("ok");
    }
  }

  @Test
  void persistentFloodingClosesWith1008() {
    start(Map.of("CHATROOM_WS_RATE", "1", "CHATROOM_WS_BURST", "2"));
    try (WsClient c = signedIn()) {
      for (int i = 0; i < 150 && !c.isClosed(); i++) {
        c.sendRaw("{\"type\":\"ping\",\"id\":" + i + "}");
      }
      assertThat(c.awaitClose()).isEqualTo(1008);
    }
  }

  @Test
  void clientThatDoesNotAnswerPingsIsDropped() throws Exception {
    start(Map.of("CHATROOM_PING_INTERVAL_SECONDS", "0.2"));
    String token = server.http().register("alice").token();
    try (RawWebSocket raw = new RawWebSocket(server.port(), 0)) {
      raw.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      boolean pinged = false;
      while (true) {
        RawWebSocket.Frame f = raw.read();
        if (f == null) {
          break;
        }
        if (f.opcode() == 0x9) {
          pinged = true;
        }
        if (f.opcode() == 0x8) {
          assertThat(f.closeCode()).isEqualTo(1001);
          break;
        }
      }
      assertThat(pinged).isTrue();
    }
  }

  @Test
  void clientThatAnswersPingsStaysAndIsPingedAtMostOncePerInterval() throws Exception {
    start(Map.of("CHATROOM_PING_INTERVAL_SECONDS", "0.2"));
    String token = server.http().register("alice").token();
    try (RawWebSocket raw = new RawWebSocket(server.port(), 0)) {
      raw.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      int pings = 0;
      long started = System.nanoTime();
      while (System.nanoTime() - started < 2_000_000_000L) { // ten intervals
        RawWebSocket.Frame f = raw.read();
        assertThat(f).as("still connected after %d pings", pings).isNotNull();
        assertThat(f.opcode()).as("not closed").isNotEqualTo(0x8);
        if (f.opcode() == 0x9) {
          pings++;
          raw.sendFrame(0xA, f.payload());
        }
      }
      // pinged after each interval of silence, never sooner
      assertThat(pings).isBetween(4, 10);
      raw.sendText("{\"type\":\"ping\",\"id\":1}");
      RawWebSocket.Frame answer;
      do {
        answer = raw.read();
      } while (answer != null && answer.opcode() != 0x1);
      assertThat(answer).isNotNull();
      assertThat(answer.text()).contains("\"type\":\"ok\"");
    }
  }

  @Test
  void readerThatFallsBehindIsDisconnectedWith1013() throws Exception {
    start(Map.of());
    Http.Account alice = server.http().register("alice");
    Http.Account slow = server.http().register("slow");
    try (WsClient sender = WsClient.connect(server.port(), alice.token());
        RawWebSocket raw = new RawWebSocket(server.port(), 4096)) {
      sender.join("firehose");
      raw.sendText("{\"type\":\"hello\",\"token\":\"" + slow.token() + "\"}");
      raw.sendText("{\"type\":\"join\",\"id\":1,\"room\":\"firehose\"}");
      assertThat(raw.read().text()).contains("welcome");
      assertThat(raw.read().text()).contains("\"ok\"");
      // stop reading; push far more than the 1 MiB send queue plus socket buffers
      String text = "y".repeat(3900);
      for (int i = 0; i < 4000; i++) {
        JsonNode ack = sender.send("firehose", text, "f" + i);
        assertThat(ack.path("type").asText()).isEqualTo("ok");
      }
      assertThat(raw.readUntilClose()).isEqualTo(1013);
    }
    String metrics = server.node().metrics().scrape();
    assertThat(metrics).contains("chatroom_slow_consumer_disconnects_total 1.0",
        "chatroom_websocket_disconnections_total{reason=\"slow_consumer\"} 1.0");
    assertThat(metrics).containsPattern("chatroom_send_queue_drops_total [1-9]");
  }
}
