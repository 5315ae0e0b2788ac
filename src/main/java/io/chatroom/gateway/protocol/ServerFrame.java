package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.message.Message;
import java.util.List;

/**
 * Every frame the server sends over {@code /ws}. Replies to a request echo its {@code id}; events carry none.
 * Null fields are left out of the JSON. docs/protocol.md documents each one.
 */
@JsonPropertyOrder({"type", "id"})
public sealed interface ServerFrame {
  @JsonProperty("type")
  String type();

  record Welcome(UserInfo user, String session) implements ServerFrame {
    public String type() {
      return "welcome";
    }
  }

  /** The node is going away (a restart or a scale-down): reconnect, to any node, and resume with since. */
  record Reconnect() implements ServerFrame {
    public String type() {
      return "reconnect";
    }
  }

  /** The plain success reply (leave, ping). */
  record Ok(JsonNode id) implements ServerFrame {
    public String type() {
      return "ok";
    }
  }

  /** @param hasMore true when older messages after {@code since} were not replayed; null otherwise */
  record JoinOk(JsonNode id, String room, long lastSeq, List<String> members, Boolean hasMore) implements ServerFrame {
    public String type() {
      return "ok";
    }
  }

  /** @param duplicate true when this clientMsgId had been committed before; null otherwise */
  record SendOk(JsonNode id, long seq, long ts, Boolean duplicate) implements ServerFrame {
    public String type() {
      return "ok";
    }
  }

  record HistoryOk(JsonNode id, List<MessageEvent> messages) implements ServerFrame {
    public String type() {
      return "ok";
    }
  }

  /** @param retryAfterMs set with {@code rate_limited}: when the next frame will be accepted */
  record ErrorFrame(JsonNode id, String code, String message, Long retryAfterMs) implements ServerFrame {
    public String type() {
      return "error";
    }
  }

  @JsonPropertyOrder({"type", "room", "seq", "from", "text", "ts", "clientMsgId"})
  record MessageEvent(String room, long seq, String from, String text, long ts, String clientMsgId) implements ServerFrame {
    public static MessageEvent of(Message m) {
      return new MessageEvent(m.room(), m.seq(), m.from(), m.text(), m.ts(), m.clientMsgId());
    }

    public static List<MessageEvent> of(List<Message> messages) {
      return messages.stream().map(MessageEvent::of).toList();
    }

    public String type() {
      return "message";
    }
  }

  record Presence(String room, String user, String state) implements ServerFrame {
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    public String type() {
      return "presence";
    }
  }

  record Typing(String room, String user) implements ServerFrame {
    public String type() {
      return "typing";
    }
  }
}
