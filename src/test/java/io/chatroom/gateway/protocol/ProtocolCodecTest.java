package io.chatroom.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {

  private static Protocol.BadFrame bad(String text) {
    return catchThrowableOfType(Protocol.BadFrame.class, () -> Protocol.parseClientFrame(text));
  }

  @Test
  void readsEveryClientFrameType() {
    assertThat(Protocol.parseClientFrame("{\"type\":\"hello\",\"token\":\"t\"}")).isEqualTo(new ClientFrame.Hello("t"));
    ClientFrame.Join join = (ClientFrame.Join) Protocol.parseClientFrame("{\"type\":\"join\",\"id\":\"a\",\"room\":\"r\",\"since\":4}");
    assertThat(join.id().asText()).isEqualTo("a");
    assertThat(join.since()).isEqualTo(4L);
    ClientFrame.Send send = (ClientFrame.Send) Protocol.parseClientFrame(
        "{\"type\":\"send\",\"id\":9,\"room\":\"r\",\"text\":\"hi\",\"clientMsgId\":\"c\",\"extra\":[1]}");
    assertThat(send.id().asLong()).isEqualTo(9);
    assertThat(send.clientMsgId()).isEqualTo("c");
    assertThat(Protocol.parseClientFrame("{\"type\":\"history\",\"id\":1,\"room\":\"r\",\"before\":3,\"limit\":2}"))
        .isInstanceOf(ClientFrame.History.class);
    assertThat(Protocol.parseClientFrame("{\"type\":\"leave\",\"room\":\"r\"}")).isInstanceOf(ClientFrame.Leave.class);
    assertThat(Protocol.parseClientFrame("{\"type\":\"typing\",\"room\":\"r\"}")).isEqualTo(new ClientFrame.Typing("r"));
    assertThat(Protocol.parseClientFrame("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping(null));
  }

  @Test
  void malformedFramesAreClassified() {
    assertThat(bad("{nope").error().code()).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(bad("").error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(bad("\"hello\"").error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(bad("{\"id\":1}").error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(bad("{\"type\":3}").error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(bad("{\"type\":\"shout\",\"id\":1}").error().code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
  }

  @Test
  void wrongTypesAreRefusedNotCoercedAndTheIdIsKept() {
    for (String frame : List.of(
        "{\"type\":\"join\",\"id\":5,\"room\":7}",
        "{\"type\":\"join\",\"id\":5,\"room\":\"r\",\"since\":\"3\"}",
        "{\"type\":\"join\",\"id\":5,\"room\":\"r\",\"since\":1.5}",
        "{\"type\":\"join\",\"id\":5,\"room\":\"r\",\"since\":-1}",
        "{\"type\":\"join\",\"id\":5}",
        "{\"type\":\"send\",\"id\":5,\"room\":\"r\",\"text\":true}",
        "{\"type\":\"history\",\"id\":5,\"room\":\"r\",\"limit\":0}",
        "{\"type\":\"hello\",\"id\":5,\"token\":{}}")) {
      Protocol.BadFrame e = bad(frame);
      assertThat(e.error().code()).as(frame).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(e.id().asInt()).as(frame).isEqualTo(5);
    }
    assertThat(bad("{\"type\":\"ping\",\"id\":{\"x\":1}}").error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void theOnePassReadOfASendAgreesWithTheTreeOrLeavesItToTheTree() {
    List<String> plain = List.of(
        "{\"type\":\"send\",\"id\":2,\"room\":\"general\",\"text\":\"hi\",\"clientMsgId\":\"c-1\"}",
        "{\"room\":\"r\",\"text\":\"tab\\tand \\u00e9\",\"type\":\"send\"}",
        "{\"type\":\"send\",\"id\":\"req-7\",\"room\":\"r\",\"text\":\"\",\"extra\":{\"a\":[1,{\"b\":null}]}}",
        "{\"type\":\"send\",\"id\":9000000000,\"room\":\"r\",\"text\":\"long id\"}",
        " {\"type\":\"send\",\"room\":\"r\",\"text\":\"leading space\"} ");
    for (String frame : plain) {
      assertThat(Protocol.readPlainSend(frame.strip())).as(frame).isNotNull();
      assertThat(Protocol.parseClientFrame(frame)).as(frame).isEqualTo(Protocol.parseByTree(frame));
    }
    ClientFrame.Send longId = (ClientFrame.Send) Protocol.parseClientFrame(plain.get(3));
    assertThat(longId.id().isLong()).isTrue();

    List<String> unusual = List.of(
        "{\"type\":\"send\",\"id\":null,\"room\":\"r\",\"text\":\"x\"}",
        "{\"type\":\"send\",\"id\":1,\"room\":\"r\",\"text\":\"x\",\"clientMsgId\":null}",
        "{\"type\":\"send\",\"id\":123456789012345678901234567890,\"room\":\"r\",\"text\":\"x\"}",
        "{\"type\":\"send\",\"room\":\"a\",\"room\":\"b\",\"text\":\"x\"}",
        "{\"type\":\"send\",\"room\":\"r\",\"text\":\"x\"} trailing",
        "{\"type\":\"send\",\"room\":\"r\",\"text\":\"x\"",
        "{\"type\":\"ping\",\"id\":1}",
        "{\"type\":\"send\",\"id\":1.5,\"room\":\"r\",\"text\":\"x\"}");
    for (String frame : unusual) {
      assertThat(Protocol.readPlainSend(frame)).as(frame).isNull();
    }
    assertThat(Protocol.parseClientFrame(unusual.get(0))).isEqualTo(new ClientFrame.Send(null, "r", "x", null));
    assertThat(Protocol.parseClientFrame(unusual.get(3))).isEqualTo(new ClientFrame.Send(null, "b", "x", null));
    assertThat(bad(unusual.get(5)).error().code()).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(bad(unusual.get(7)).error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void sendWithoutTextIsAnEmptyMessage() {
    assertThat(bad("{\"type\":\"send\",\"id\":1,\"room\":\"r\"}").error().code()).isEqualTo(ErrorCode.EMPTY_MESSAGE);
  }

  @Test
  void serverFramesPutTypeFirstAndLeaveOutNulls() throws Exception {
    String ok = new String(Protocol.encode(new ServerFrame.SendOk(Protocol.JSON.readTree("7"), 3, 99, null)), StandardCharsets.UTF_8);
    assertThat(ok).isEqualTo("{\"type\":\"ok\",\"id\":7,\"seq\":3,\"ts\":99}");
    String message = Protocol.encodeToString(new ServerFrame.MessageEvent("general", 1, "alice", "hi", 5, null));
    assertThat(message).isEqualTo("{\"type\":\"message\",\"room\":\"general\",\"seq\":1,\"from\":\"alice\",\"text\":\"hi\",\"ts\":5}");
    JsonNode room = Protocol.JSON.readTree(Protocol.encode(new RoomInfo("r", "", true, 2, 0, null, null)));
    assertThat(room.path("private").asBoolean()).isTrue();
    assertThat(room.has("isPrivate")).isFalse();
    assertThat(room.has("member")).as("absent outside listings").isFalse();
  }

  @Test
  void requestBodiesAreStrictToo() {
    assertThat(catchThrowableOfType(ChatException.class, () -> Protocol.readBody("{x", HttpBodies.Credentials.class)).code())
        .isEqualTo(ErrorCode.BAD_JSON);
    assertThat(catchThrowableOfType(ChatException.class, () -> Protocol.readBody("", HttpBodies.Credentials.class)).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(catchThrowableOfType(ChatException.class,
        () -> Protocol.readBody("{\"name\":\"r\",\"private\":\"yes\"}", HttpBodies.CreateRoom.class)).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(catchThrowableOfType(ChatException.class,
        () -> Protocol.readBody("{\"name\":\"r\",\"private\":1}", HttpBodies.CreateRoom.class)).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(Protocol.readBody("{\"name\":\"r\",\"private\":true}", HttpBodies.CreateRoom.class).isPrivate()).isTrue();
  }
}
