package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;

/**
 * Every frame a client may send over {@code /ws}, keyed by its {@code "type"}. Compact constructors reject
 * missing or out-of-range fields with {@code invalid_request}; unknown extra fields are ignored so older
 * servers accept newer clients. docs/protocol.md documents each one.
 */
public sealed interface ClientFrame {
  /** The request id echoed in the reply; null for frames that get none. */
  JsonNode id();

  /** First frame of every connection. */
  record Hello(String token) implements ClientFrame {
    public Hello {
      require(token, "token");
    }

    public JsonNode id() {
      return null;
    }
  }

  /** Subscribes to a room, replaying what was missed after {@code since} (null: the latest messages). */
  record Join(JsonNode id, String room, Long since) implements ClientFrame {
    public Join {
      id = checkId(id);
      require(room, "room");
      if (since != null && since < 0) {
        throw invalid("'since' must be 0 or more");
      }
    }
  }

  record Send(JsonNode id, String room, String text, String clientMsgId) implements ClientFrame {
    public Send {
      id = checkId(id);
      require(room, "room");
      if (text == null) {
        throw new ChatException(ErrorCode.EMPTY_MESSAGE, "message text is empty");
      }
    }
  }

  record History(JsonNode id, String room, Long before, Long after, Integer limit) implements ClientFrame {
    public History {
      id = checkId(id);
      require(room, "room");
      checkPage(before, after, limit);
    }
  }

  record Leave(JsonNode id, String room) implements ClientFrame {
    public Leave {
      id = checkId(id);
      require(room, "room");
    }
  }

  record Typing(String room) implements ClientFrame {
    public Typing {
      require(room, "room");
    }

    public JsonNode id() {
      return null;
    }
  }

  record Ping(JsonNode id) implements ClientFrame {
    public Ping {
      id = checkId(id);
    }
  }

  /** Shared with HTTP history: positive bounds, limit at least 1 (values over the maximum are capped). */
  static void checkPage(Long before, Long after, Integer limit) {
    if (before != null && before < 1) {
      throw invalid("'before' must be 1 or more");
    }
    if (after != null && after < 0) {
      throw invalid("'after' must be 0 or more");
    }
    if (limit != null && limit < 1) {
      throw invalid("'limit' must be 1 or more");
    }
  }

  private static JsonNode checkId(JsonNode id) {
    if (id == null || id.isNull() || id.isMissingNode()) {
      return null;
    }
    if (!id.isTextual() && !id.isIntegralNumber()) {
      throw invalid("'id' must be a string or an integer");
    }
    return id;
  }

  private static void require(String value, String field) {
    if (value == null) {
      throw invalid("'" + field + "' is required");
    }
  }

  private static ChatException invalid(String message) {
    return new ChatException(ErrorCode.INVALID_REQUEST, message);
  }
}
