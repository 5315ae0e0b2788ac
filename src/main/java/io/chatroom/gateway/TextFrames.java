package io.chatroom.gateway;

import io.netty.buffer.Unpooled;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

/**
 * Text frames over already-encoded UTF-8 bytes. Vert.x's public API only builds text frames from a String,
 * which would re-encode the event for every subscriber; wrapping the shared bytes costs one small object
 * per subscriber and no copy. Each frame gets its own wrapper because Netty advances the buffer's reader
 * index as it writes.
 */
final class TextFrames {
  private TextFrames() {}

  static WebSocketFrame of(byte[] utf8Json) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(utf8Json), true);
  }
}
