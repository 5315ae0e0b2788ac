package io.chatroom.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Server-to-client frames (RFC 6455 section 5.2): unmasked and unfragmented, so a header is two to ten bytes
 * before the payload.
 */
public final class WebSocketFrames {
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;
  private static final int TEXT = 0x1;
  private static final int FIN = 0x80;
  /** A control frame's payload is at most 125 bytes; a close's status code takes two of them. */
  private static final int MAX_CLOSE_REASON_BYTES = 123;

  private WebSocketFrames() {}

  public static ByteBuf text(ByteBufAllocator alloc, byte[] payload) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf frame = alloc.ioBuffer(header + length);
    frame.writeByte(FIN | TEXT);
    if (length < 126) {
      frame.writeByte(length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(length);
    } else {
      frame.writeByte(127);
      frame.writeLong(length);
    }
    frame.writeBytes(payload);
    return frame;
  }

  static ByteBuf control(ByteBufAllocator alloc, int opcode, byte[] payload) {
    ByteBuf frame = alloc.ioBuffer(2 + payload.length);
    frame.writeByte(FIN | opcode);
    frame.writeByte(payload.length);
    frame.writeBytes(payload);
    return frame;
  }

  /** A close frame with a status code and a reason, cut (at a character boundary) to what fits. */
  static ByteBuf close(ByteBufAllocator alloc, short code, String reason) {
    String fitting = reason;
    byte[] utf8 = fitting.getBytes(StandardCharsets.UTF_8);
    while (utf8.length > MAX_CLOSE_REASON_BYTES) {
      fitting = fitting.substring(0, fitting.offsetByCodePoints(fitting.length(), -1));
      utf8 = fitting.getBytes(StandardCharsets.UTF_8);
    }
    byte[] payload = new byte[2 + utf8.length];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(utf8, 0, payload, 2, utf8.length);
    return control(alloc, CLOSE, payload);
  }
}
