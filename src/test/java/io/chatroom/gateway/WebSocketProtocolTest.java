package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Await;
import io.chatroom.testing.RawWebSocket;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebSocket layer under the chat protocol: fragments, control frames, the close handshake, bad frames. */
class WebSocketProtocolTest {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CONTINUATION = 0x0;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  @TempDir
  Path dataDir;
  TestServer server;
  String token;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), Map.of());
    token = server.http().register("alice").token();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawWebSocket signedIn() throws Exception {
    RawWebSocket raw = new RawWebSocket(server.port(), 0);
    raw.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    assertThat(raw.read().text()).contains("\"welcome\"");
    return raw;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aFragmentedMessageIsHandledAsOne() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(TEXT, utf8("{\"type\":\"pi"), false);
      raw.sendFrame(PING, utf8("between fragments"), true); // control frames may interleave
      raw.sendFrame(CONTINUATION, utf8("ng\",\"id\":"), false);
      raw.sendFrame(CONTINUATION, utf8("\"fragmented\"}"), true);
      RawWebSocket.Frame pong = raw.read();
      assertThat(pong.opcode()).isEqualTo(PONG);
      assertThat(pong.text()).isEqualTo("between fragments");
      RawWebSocket.Frame ok = raw.read();
      assertThat(ok.opcode()).isEqualTo(TEXT);
      assertThat(ok.text()).contains("\"ok\"", "\"fragmented\"");
    }
  }

  @Test
  void aMessageFragmentedPastTheLimitClosesWith1009() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      byte[] chunk = utf8("x".repeat(40_000));
      raw.sendFrame(TEXT, utf8("{\"type\":\"ping\",\"pad\":\""), false);
      raw.sendFrame(CONTINUATION, chunk, false);
      raw.sendFrame(CONTINUATION, chunk, false);
      assertThat(raw.readUntilClose()).isEqualTo(1009);
    }
    // counted as the socket closes, which the client may see first
    Await.until(() -> server.node().metrics().scrape().contains("chatroom_websocket_disconnections_total{reason=\"too_big\"} 1.0"));
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(TEXT, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
      assertThat(raw.readUntilClose()).isEqualTo(1007);
    }
    // counted as the socket closes, which the client may see first
    Await.until(() -> server.node().metrics().scrape().contains("chatroom_websocket_disconnections_total{reason=\"protocol\"} 1.0"));
  }

  @Test
  void anUnknownOpcodeClosesWith1002() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(0x3, utf8("reserved"));
      assertThat(raw.readUntilClose()).isEqualTo(1002);
    }
  }

  @Test
  void fragmentsOutOfOrderCloseWith1002() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(CONTINUATION, utf8("\"}"), true);
      assertThat(raw.readUntilClose()).isEqualTo(1002);
    }
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(TEXT, utf8("{\"type\":"), false);
      raw.sendFrame(TEXT, utf8("{\"type\":\"ping\"}"), true);
      assertThat(raw.readUntilClose()).isEqualTo(1002);
    }
  }

  @Test
  void aBinaryFrameIsRefusedWithAnErrorAndTheSessionGoesOn() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(BINARY, new byte[] {1, 2, 3});
      assertThat(raw.read().text()).contains("\"invalid_request\"", "binary frames are not supported");
      raw.sendText("{\"type\":\"ping\",\"id\":2}");
      assertThat(raw.read().text()).contains("\"ok\"");
    }
  }

  @Test
  void aCloseFromTheClientIsAnsweredWithItsCodeThenTheConnectionEnds() throws Exception {
    try (RawWebSocket raw = signedIn()) {
      raw.sendFrame(CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
      RawWebSocket.Frame answer = raw.read();
      assertThat(answer.opcode()).isEqualTo(CLOSE);
      assertThat(answer.closeCode()).isEqualTo(1000);
      assertThat(raw.read()).as("the server ends the TCP connection after answering").isNull();
    }
    // counted as the socket closes, which the client may see first
    Await.until(() -> server.node().metrics().scrape().contains("chatroom_websocket_disconnections_total{reason=\"client\"} 1.0"));
  }

  @Test
  void aServerCloseEndsTheConnectionWhenTheClientAnswersIt() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(server.port(), 0)) {
      raw.sendText("{\"type\":\"join\",\"id\":1,\"room\":\"general\"}"); // not a hello: refused with 1008
      assertThat(raw.readUntilClose()).isEqualTo(1008);
      long answered = System.nanoTime();
      raw.sendFrame(CLOSE, new byte[] {0x03, (byte) 0xF0});
      assertThat(raw.read()).isNull();
      assertThat((System.nanoTime() - answered) / 1_000_000)
          .as("closed on the answer, not by the %d ms timeout", ChatSocket.CLOSE_TIMEOUT_MS)
          .isLessThan(ChatSocket.CLOSE_TIMEOUT_MS / 2);
    }
  }
}
