package io.chatroom.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** chatroom's own protocol (docs/protocol.md), read with a streaming parser: no tree per frame. */
public final class ChatroomDialect implements Dialect {
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String path() {
    return "/ws";
  }

  @Override
  public String hello(String username, String token) {
    return "{\"type\":\"hello\",\"token\":\"" + token + "\"}";
  }

  @Override
  public String join(long id, String room, long since) {
    return "{\"type\":\"join\",\"id\":" + id + ",\"room\":\"" + room + "\",\"since\":" + since + "}";
  }

  @Override
  public String send(long id, String room, String text, String clientMsgId) {
    return "{\"type\":\"send\",\"id\":" + id + ",\"room\":\"" + room + "\",\"text\":\"" + text + "\",\"clientMsgId\":\""
        + clientMsgId + "\"}";
  }

  @Override
  public String pong() {
    return null;
  }

  @Override
  public Frame decode(String frame) {
    String type = null;
    String room = null;
    String text = null;
    String code = null;
    long id = -1;
    long seq = 0;
    long lastSeq = -1;
    try (JsonParser p = JSON.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Frame.OTHER;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> type = p.getText();
          case "room" -> room = p.getText();
          case "text" -> text = p.getText();
          case "code" -> code = p.getText();
          case "id" -> id = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
          case "seq" -> seq = p.getLongValue();
          case "lastSeq" -> lastSeq = p.getLongValue();
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      return Frame.error(-1, "unreadable frame: " + e.getMessage());
    }
    if (type == null) {
      return Frame.OTHER;
    }
    return switch (type) {
      case "message" -> Frame.message(room, seq, text);
      case "ok" -> Frame.ok(id, room, lastSeq >= 0 ? lastSeq : seq);
      case "error" -> Frame.error(id, code);
      case "welcome" -> Frame.READY;
      default -> Frame.OTHER;
    };
  }
}
