package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JSON codec of the wire protocol: strict on input (no silent coercion of {@code 5} into {@code "5"}),
 * compact on output (null fields left out).
 */
public final class Protocol {
  private Protocol() {}

  public static final ObjectMapper JSON = mapper();

  private static final Map<String, Class<? extends ClientFrame>> CLIENT_TYPES = Map.of(
      "hello", ClientFrame.Hello.class,
      "join", ClientFrame.Join.class,
      "send", ClientFrame.Send.class,
      "history", ClientFrame.History.class,
      "leave", ClientFrame.Leave.class,
      "typing", ClientFrame.Typing.class,
      "ping", ClientFrame.Ping.class);

  /** A frame that could not be read, with the request id when the JSON was good enough to have one. */
  public static final class BadFrame extends RuntimeException {
    private final ChatException error;
    private final JsonNode id;

    BadFrame(ChatException error, JsonNode id) {
      super(error.getMessage(), null, false, false);
      this.error = error;
      this.id = id;
    }

    public ChatException error() {
      return error;
    }

    public JsonNode id() {
      return id;
    }
  }

  /** Reads one client frame, or throws {@link BadFrame} carrying {@code bad_json}, {@code unknown_type} or {@code invalid_request}. */
  public static ClientFrame parseClientFrame(String text) {
    ClientFrame.Send send = readPlainSend(text);
    return send != null ? send : parseByTree(text);
  }

  /**
   * Sends are nearly every frame, and reading a tree and then binding it parsed each one twice (18 % of the
   * event loop's time in the durable bench). This reads the common shape in one streaming pass and gives up,
   * returning null, at anything unusual (another type, a repeated or null field, a value of the wrong kind,
   * a failed check, broken JSON): the tree path then decides, so error codes and messages stay its own.
   */
  static ClientFrame.Send readPlainSend(String text) {
    if (text == null || text.isEmpty() || text.charAt(0) != '{') {
      return null;
    }
    String type = null;
    JsonNode id = null;
    String room = null;
    String body = null;
    String clientMsgId = null;
    try (JsonParser parser = JSON.getFactory().createParser(text)) {
      parser.nextToken();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        token = parser.nextToken();
        // a known field that yields null was repeated or held another kind of value
        switch (field) {
          case "type" -> {
            if ((type = firstString(type, token, parser)) == null) {
              return null;
            }
          }
          case "room" -> {
            if ((room = firstString(room, token, parser)) == null) {
              return null;
            }
          }
          case "text" -> {
            if ((body = firstString(body, token, parser)) == null) {
              return null;
            }
          }
          case "clientMsgId" -> {
            if ((clientMsgId = firstString(clientMsgId, token, parser)) == null) {
              return null;
            }
          }
          case "id" -> {
            if (id != null || (id = plainId(parser, token)) == null) {
              return null;
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null || !"send".equals(type) || room == null || body == null) {
        return null;
      }
      return new ClientFrame.Send(id, room, body, clientMsgId);
    } catch (IOException | ChatException e) {
      return null;
    }
  }

  /** The string value of a field seen for the first time; null for a repeat or another kind of value. */
  private static String firstString(String seen, JsonToken token, JsonParser parser) throws IOException {
    return seen == null && token == JsonToken.VALUE_STRING ? parser.getText() : null;
  }

  /** A string or integer id as the tree would hold it; null for any other value. */
  private static JsonNode plainId(JsonParser parser, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NUMBER_INT) {
      return null;
    }
    if (token == JsonToken.VALUE_STRING) {
      return TextNode.valueOf(parser.getText());
    }
    return switch (parser.getNumberType()) {
      case INT -> IntNode.valueOf(parser.getIntValue());
      case LONG -> LongNode.valueOf(parser.getLongValue());
      default -> null;
    };
  }

  static ClientFrame parseByTree(String text) {
    JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadFrame(new ChatException(ErrorCode.BAD_JSON, "frame is not valid JSON"), null);
    }
    if (tree == null || !tree.isObject()) {
      throw new BadFrame(new ChatException(ErrorCode.INVALID_REQUEST, "a frame must be one JSON object"), null);
    }
    JsonNode id = tree.get("id");
    if (id != null && !id.isTextual() && !id.isIntegralNumber()) {
      id = null;
    }
    JsonNode type = tree.get("type");
    if (type == null || !type.isTextual()) {
      throw new BadFrame(new ChatException(ErrorCode.INVALID_REQUEST, "'type' is required and must be a string"), id);
    }
    Class<? extends ClientFrame> cls = CLIENT_TYPES.get(type.asText());
    if (cls == null) {
      throw new BadFrame(new ChatException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + abbreviate(type.asText()) + "'"), id);
    }
    try {
      return read(tree, cls);
    } catch (ChatException e) {
      throw new BadFrame(e, id);
    }
  }

  /** Binds a JSON tree to a body record; wrong types and failed checks become {@code invalid_request}. */
  public static <T> T read(JsonNode tree, Class<T> type) {
    try {
      return JSON.treeToValue(tree, type);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ChatException chat) {
        throw chat;
      }
      throw new ChatException(ErrorCode.INVALID_REQUEST, "invalid request");
    } catch (MismatchedInputException e) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, describe(e));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "invalid request");
    }
  }

  /** Reads a request body: {@code bad_json} when it is not JSON, {@code invalid_request} when it does not fit. */
  public static <T> T readBody(String body, Class<T> type) {
    JsonNode tree;
    try {
      tree = body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ChatException(ErrorCode.BAD_JSON, "request body is not valid JSON");
    }
    if (tree == null || !tree.isObject()) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "request body must be a JSON object");
    }
    return read(tree, type);
  }

  /** Serializes once; the bytes are what every subscriber receives. */
  public static byte[] encode(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  public static String encodeToString(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  private static String describe(MismatchedInputException e) {
    String field = e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
    return field.isEmpty() ? "invalid request" : "'" + field + "' has the wrong type";
  }

  private static String abbreviate(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }

  private static ObjectMapper mapper() {
    ObjectMapper mapper = JsonMapper.builder()
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();
    // ALLOW_COERCION_OF_SCALARS off refuses "5" for a number; these refuse 5 or true for a string and 1 for a boolean
    mapper.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }
}
