package io.chatroom.gateway.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
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
