package io.chatroom.ai;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a Server-Sent Events stream fed in arbitrary pieces (a network read may end inside a line, or inside
 * a UTF-8 character) and hands over the {@code data} of each event. Lines end with LF, CRLF or CR; comment
 * lines and fields other than {@code data} are skipped; an event's several {@code data} lines are joined with
 * LF, as the SSE specification says. Not thread-safe: one stream, one thread.
 */
final class SseParser {
  /** One line longer than this is not a chat completion chunk: the stream is garbage, and must not fill memory. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private final Consumer<String> onData;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private StringBuilder data;
  private boolean afterCr;

  SseParser(Consumer<String> onData) {
    this.onData = onData;
  }

  /** Parses the next piece of the stream. @throws IllegalStateException on a line over {@value #MAX_LINE_BYTES} bytes */
  void feed(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '\n' && afterCr) {
        afterCr = false; // the LF of a CRLF: the line ended at the CR
        continue;
      }
      afterCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine();
      } else {
        if (line.size() >= MAX_LINE_BYTES) {
          throw new IllegalStateException("an event stream line is over " + MAX_LINE_BYTES + " bytes");
        }
        line.write(b);
      }
    }
  }

  /** The stream ended: a last event not followed by a blank line still counts. */
  void end() {
    if (line.size() > 0) {
      endLine();
    }
    dispatch();
  }

  private void endLine() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.startsWith(":")) {
      return; // a comment, e.g. a keep-alive
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    if (!field.equals("data")) {
      return;
    }
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (data == null) {
      data = new StringBuilder(value);
    } else {
      data.append('\n').append(value);
    }
  }

  private void dispatch() {
    if (data != null) {
      String event = data.toString();
      data = null;
      onData.accept(event);
    }
  }
}
