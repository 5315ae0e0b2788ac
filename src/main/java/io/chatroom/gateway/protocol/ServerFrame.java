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

  /**
   * @param members the users online in the room, sorted: all of them, or the first {@link #MEMBERS_SHOWN} in a
   *                crowded room
   * @param online  how many users are online in the room
   * @param hasMore true when older messages after {@code since} were not replayed; null otherwise
   */
  record JoinOk(JsonNode id, String room, long lastSeq, List<String> members, int online, Boolean hasMore) implements ServerFrame {
    /**
     * Above this many users online a room is crowded: its join answers list only this many, and arrivals and
     * departures are not announced. A room of N announcing each of N arrivals costs N^2 frames (12.5 million for a
     * room of 5,000 filling up), and a full list in each join costs N^2 bytes.
     */
    public static final int MEMBERS_SHOWN = 100;

    /** The answer to a join, listing at most {@link #MEMBERS_SHOWN} of {@code online}. */
    public static JoinOk of(JsonNode id, String room, long lastSeq, List<String> online, Boolean hasMore) {
      List<String> shown = online.size() > MEMBERS_SHOWN ? List.copyOf(online.subList(0, MEMBERS_SHOWN)) : online;
      return new JoinOk(id, room, lastSeq, shown, online.size(), hasMore);
    }

    /** Whether a room with {@code online} users online is too crowded to announce presence in. */
    public static boolean crowded(int online) {
      return online > MEMBERS_SHOWN;
    }

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

  /**
   * @param replyTo     the seq of the question this message answers (the assistant's answers); null otherwise
   * @param interrupted true when the answer broke off; null otherwise
   */
  @JsonPropertyOrder({"type", "room", "seq", "from", "text", "ts", "clientMsgId", "replyTo", "interrupted"})
  record MessageEvent(String room, long seq, String from, String text, long ts, String clientMsgId, Long replyTo,
      Boolean interrupted) implements ServerFrame {
    /** A message that answers nothing. */
    public MessageEvent(String room, long seq, String from, String text, long ts, String clientMsgId) {
      this(room, seq, from, text, ts, clientMsgId, null, null);
    }

    public static MessageEvent of(Message m) {
      return new MessageEvent(m.room(), m.seq(), m.from(), m.text(), m.ts(), m.clientMsgId(), m.replyTo(),
          m.interrupted() ? true : null);
    }

    public static List<MessageEvent> of(List<Message> messages) {
      return messages.stream().map(MessageEvent::of).toList();
    }

    public String type() {
      return "message";
    }
  }

  /** An operator deleted the room: the connection has left it, and joining it again answers room_not_found. */
  record RoomDeleted(String room) implements ServerFrame {
    public String type() {
      return "room_deleted";
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

  /**
   * A piece of the assistant's answer to the message {@code replyTo}, sent to the room while the answer is
   * written; never stored. The complete answer follows as a {@code message} with the same {@code replyTo}.
   */
  @JsonPropertyOrder({"type", "room", "replyTo", "text"})
  record AiDelta(String room, long replyTo, String text) implements ServerFrame {
    public String type() {
      return "ai_delta";
    }
  }

  /**
   * The assistant does not answer the message {@code replyTo}: sent only to the asker's connections.
   *
   * @param retryAfterMs with {@code rate_limited} and {@code unavailable}: when asking again may succeed; null otherwise
   */
  @JsonPropertyOrder({"type", "room", "replyTo", "code", "message", "retryAfterMs"})
  record AiError(String room, long replyTo, String code, String message, Long retryAfterMs) implements ServerFrame {
    /** No provider is configured (AI_API_KEY). */
    public static final String NOT_CONFIGURED = "not_configured";
    /** The asker's question budget, or this node's capacity for questions, is used up. */
    public static final String RATE_LIMITED = "rate_limited";
    /** The provider failed, timed out, or is resting behind the circuit breaker. */
    public static final String UNAVAILABLE = "unavailable";

    public String type() {
      return "ai_error";
    }
  }
}
