package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Engine.IO 4 / Socket.IO 4 framing, as socket.io 4.8 writes and reads it on the WebSocket transport. */
class SocketIoDialectTest {
  private final SocketIoDialect dialect = new SocketIoDialect();

  @Test
  void encodesConnectAndEventsWithAckIds() {
    assertThat(dialect.path()).isEqualTo("/socket.io/?EIO=4&transport=websocket");
    assertThat(dialect.hello("alice", "t")).isEqualTo("40{\"user\":\"alice\",\"token\":\"t\"}");
    assertThat(dialect.join(12, "r1", 0)).isEqualTo("4212[\"join\",\"r1\"]");
    assertThat(dialect.send(13, "r1", "5|x", "b1-2"))
        .isEqualTo("4213[\"send\",{\"room\":\"r1\",\"text\":\"5|x\",\"clientMsgId\":\"b1-2\"}]");
    assertThat(dialect.pong()).isEqualTo("3");
  }

  @Test
  void decodesEngineAndSocketPackets() {
    assertThat(dialect.decode("0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}")).isEqualTo(Frame.OTHER);
    assertThat(dialect.decode("2")).isEqualTo(Frame.PING);
    assertThat(dialect.decode("40{\"sid\":\"xyz\"}")).isEqualTo(Frame.READY);
    assertThat(dialect.decode("42[\"message\",{\"room\":\"r1\",\"seq\":7,\"from\":\"u1\",\"text\":\"99|x\",\"ts\":1,\"clientMsgId\":\"b1-1\"}]"))
        .isEqualTo(Frame.message("r1", 7, "99|x"));
    assertThat(dialect.decode("4312[{\"room\":\"r1\",\"lastSeq\":6}]")).isEqualTo(Frame.ok(12, "r1", 6));
    assertThat(dialect.decode("4313[{\"seq\":8,\"ts\":2}]")).isEqualTo(Frame.ok(13, null, 8));
    assertThat(dialect.decode("4314[{\"error\":\"not_member\"}]")).isEqualTo(Frame.error(14, "not_member"));
    assertThat(dialect.decode("44{\"message\":\"nope\"}").kind()).isEqualTo(Frame.Kind.ERROR);
  }

  @Test
  void ignoresWhatIsNotOurs() {
    assertThat(dialect.decode("42[\"typing\",{\"room\":\"r1\"}]")).isEqualTo(Frame.OTHER);
    assertThat(dialect.decode("6")).isEqualTo(Frame.OTHER);
    assertThat(dialect.decode("")).isEqualTo(Frame.OTHER);
    assertThat(dialect.decode("41")).isEqualTo(Frame.OTHER);
  }
}
