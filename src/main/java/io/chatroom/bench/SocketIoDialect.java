package io.chatroom.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Socket.IO 4 (Engine.IO protocol 4) over its WebSocket transport, as the reference server in
 * {@code bench/peers/socketio} expects it: a text frame starts with the Engine.IO packet type ({@code 0} open,
 * {@code 2} ping, {@code 3} pong, {@code 4} message), and a message's body is a Socket.IO packet: {@code 0}
 * connect, {@code 2} event, {@code 3} ack, {@code 4} connect error, then an optional ack id and a JSON array
 * such as {@code ["send",{...}]}. Only the default namespace is used.
 */
public final class SocketIoDialect implements Dialect {
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String path() {
    return "/socket.io/?EIO=4&transport=websocket";
  }

  @Override
  public String hello(String username, String token) {
    return "40{\"user\":\"" + username + "\",\"token\":\"" + token + "\"}";
  }

  @Override
  public String join(long id, String room, long since) {
    return "42" + id + "[\"join\",\"" + room + "\"]";
  }

  @Override
  public String send(long id, String room, String text, String clientMsgId) {
    return "42" + id + "[\"send\",{\"room\":\"" + room + "\",\"text\":\"" + text + "\",\"clientMsgId\":\"" + clientMsgId + "\"}]";
  }

  @Override
  public String pong() {
    return "3";
  }

  @Override
  public Frame decode(String frame) {
    if (frame.isEmpty()) {
      return Frame.OTHER;
    }
    char engine = frame.charAt(0);
    if (engine == '2') {
      return Frame.PING;
    }
    if (engine != '4' || frame.length() < 2) {
      return Frame.OTHER;
    }
    char packet = frame.charAt(1);
    int at = 2;
    long id = -1;
    while (at < frame.length() && Character.isDigit(frame.charAt(at))) {
      id = (id < 0 ? 0 : id * 10) + (frame.charAt(at) - '0');
      at++;
    }
    String body = frame.substring(at);
    return switch (packet) {
      case '0' -> Frame.READY;
      case '2' -> event(body);
      case '3' -> ack(id, body);
      case '4' -> Frame.error(-1, "connect_error " + body);
      default -> Frame.OTHER;
    };
  }

  /** {@code ["message",{room,seq,text,...}]}; other events are not ours. */
  private static Frame event(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.VALUE_STRING || !"message".equals(p.getText())
          || p.nextToken() != JsonToken.START_OBJECT) {
        return Frame.OTHER;
      }
      Fields f = fields(p);
      return Frame.message(f.room, f.seq, f.text);
    } catch (IOException e) {
      return Frame.error(-1, "unreadable frame: " + e.getMessage());
    }
  }

  /** {@code [{seq,ts}]} for a send, {@code [{room,lastSeq}]} for a join, {@code [{error}]} for a refusal. */
  private static Frame ack(long id, String body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.START_OBJECT) {
        return Frame.ok(id, null, 0);
      }
      Fields f = fields(p);
      if (f.error != null) {
        return Frame.error(id, f.error);
      }
      return Frame.ok(id, f.room, f.lastSeq >= 0 ? f.lastSeq : f.seq);
    } catch (IOException e) {
      return Frame.error(id, "unreadable frame: " + e.getMessage());
    }
  }

  private static final class Fields {
    String room;
    String text;
    String error;
    long seq;
    long lastSeq = -1;
  }

  private static Fields fields(JsonParser p) throws IOException {
    Fields f = new Fields();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "room" -> f.room = p.getText();
        case "text" -> f.text = p.getText();
        case "error" -> f.error = p.getText();
        case "seq" -> f.seq = p.getLongValue();
        case "lastSeq" -> f.lastSeq = p.getLongValue();
        default -> p.skipChildren();
      }
    }
    return f;
  }
}
