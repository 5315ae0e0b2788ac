package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import io.chatroom.gateway.protocol.ClientFrame;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench speaks chatroom's protocol: its frames must be what the server's own Protocol reads and writes. */
class ChatroomDialectTest {
  private final ChatroomDialect dialect = new ChatroomDialect();

  @Test
  void requestsParseAsTheServerParsesThem() {
    assertThat(Protocol.parseClientFrame(dialect.hello("alice", "tok"))).isEqualTo(new ClientFrame.Hello("tok"));
    assertThat(Protocol.parseClientFrame(dialect.join(7, "general", 41)))
        .isEqualTo(new ClientFrame.Join(IntNode.valueOf(7), "general", 41L));
    assertThat(Protocol.parseClientFrame(dialect.send(8, "general", "123|xx", "b1-1")))
        .isEqualTo(new ClientFrame.Send(IntNode.valueOf(8), "general", "123|xx", "b1-1"));
  }

  @Test
  void readsTheServersFrames() {
    Frame message = dialect.decode(Protocol.encodeToString(new ServerFrame.MessageEvent("general", 45, "bob", "99|x", 1L, "b2-3")));
    assertThat(message).isEqualTo(Frame.message("general", 45, "99|x"));

    Frame joined = dialect.decode(Protocol.encodeToString(ServerFrame.JoinOk.of(IntNode.valueOf(3), "general", 44, List.of("a"), null)));
    assertThat(joined.kind()).isEqualTo(Frame.Kind.OK);
    assertThat(joined.id()).isEqualTo(3);
    assertThat(joined.seq()).isEqualTo(44);

    Frame sent = dialect.decode(Protocol.encodeToString(new ServerFrame.SendOk(IntNode.valueOf(4), 46, 1L, null)));
    assertThat(sent).isEqualTo(Frame.ok(4, null, 46));

    Frame refused = dialect.decode(Protocol.encodeToString(new ServerFrame.ErrorFrame(IntNode.valueOf(5), "not_member", "join first", null)));
    assertThat(refused).isEqualTo(Frame.error(5, "not_member"));

    assertThat(dialect.decode(Protocol.encodeToString(new ServerFrame.Welcome(null, "s"))).kind()).isEqualTo(Frame.Kind.READY);
    assertThat(dialect.decode(Protocol.encodeToString(new ServerFrame.Presence("general", "bob", "online")))).isEqualTo(Frame.OTHER);
  }

  @Test
  void aBrokenFrameIsAnErrorNotAnException() {
    assertThat(dialect.decode("{\"type\":").kind()).isEqualTo(Frame.Kind.ERROR);
    assertThat(dialect.decode("[1,2]")).isEqualTo(Frame.OTHER);
  }

  @Test
  void theSendTimeRidesAtTheStartOfTheText() {
    assertThat(BenchClient.sentNanos("123456789|xxxx")).isEqualTo(123456789L);
    assertThat(BenchClient.sentNanos("-42|x")).isEqualTo(-42L);
  }
}
