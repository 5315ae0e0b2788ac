package io.chatroom.ai;

import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * Streams one answer into its room as {@code ai_delta} events. The provider writes a token at a time, often
 * dozens a second; sending each as an event to every member of the room would cost a frame per member per
 * word. So text is sent at once when nothing went out for {@value #FLUSH_MS} ms, and otherwise gathered and
 * sent when that interval is over: at most ten events a second, and the text still flows.
 *
 * <p>Confined to the assistant's context.
 */
final class DeltaStream implements Consumer<String> {
  static final long FLUSH_MS = 100;

  private final Vertx vertx;
  private final Assistant.Chat chat;
  private final String room;
  private final long replyTo;
  private final StringBuilder pending = new StringBuilder();
  private long lastFlushNanos = System.nanoTime() - FLUSH_MS * 1_000_000;
  private long timer = -1;
  private boolean closed;

  DeltaStream(Vertx vertx, Assistant.Chat chat, String room, long replyTo) {
    this.vertx = vertx;
    this.chat = chat;
    this.room = room;
    this.replyTo = replyTo;
  }

  @Override
  public void accept(String text) {
    if (closed) {
      return;
    }
    pending.append(text);
    if (timer != -1) {
      return;
    }
    long sinceMs = (System.nanoTime() - lastFlushNanos) / 1_000_000;
    if (sinceMs >= FLUSH_MS) {
      flush();
    } else {
      timer = vertx.setTimer(FLUSH_MS - sinceMs, id -> {
        timer = -1;
        flush();
      });
    }
  }

  /** Sends what is gathered and stops: call before the answer is posted, so every delta precedes it. */
  void close() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    flush();
    closed = true;
  }

  private void flush() {
    if (closed || pending.length() == 0) {
      return;
    }
    chat.publish(room, Protocol.encode(new ServerFrame.AiDelta(room, replyTo, pending.toString())));
    pending.setLength(0);
    lastFlushNanos = System.nanoTime();
  }
}
