package io.chatroom.gateway;

import io.chatroom.gateway.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket after its handshake, on plain Netty: Vert.x performs the handshake, then this handler takes the
 * channel over from Vert.x's WebSocket. The Vert.x WebSocket keeps, per connection, a message queue, a
 * promise per written frame and the whole upgrade request; a chat server holds tens of thousands of idle
 * sockets and writes one event to thousands of them at once, so it keeps only the channel and writes frames
 * it encoded itself with a void promise.
 *
 * <p>Everything here runs on the channel's event loop. Callbacks to the {@link Listener} run on the
 * connection's Vert.x context (dispatched in place, same thread), so futures and timers the listener
 * starts stay on it.
 */
final class ChatSocket extends ChannelInboundHandlerAdapter {
  /** How long a closing socket waits for the client's close frame before dropping the TCP connection. */
  static final long CLOSE_TIMEOUT_MS = 5_000;
  /** Unflushed bytes that make a write flush at once instead of at the end of the turn. */
  static final int FLUSH_AT_BYTES = 64 * 1024;

  /** What the chat session hears from its socket. Every call is on the session's context. */
  interface Listener {
    void onText(String text);

    void onBinary();

    /** Any sign of life below the chat protocol: a pong, or the client's own ping. */
    void onHeard();

    /**
     * The client sent a frame or message over the size limit ({@code tooBig}, closed with 1009) or broke the
     * WebSocket protocol (text that is not UTF-8, a bad opcode: 1007 or 1002). The socket is already closing.
     */
    void onViolation(boolean tooBig);

    /** The socket is gone, whoever closed it. Called once. */
    void onClosed();
  }

  private final Channel channel;
  private final ContextInternal context;
  private final int maxMessageBytes;
  private Listener listener;
  private Handler<String> onText;
  private boolean closeSent;
  /** Queued on this loop's flusher. */
  private boolean awaitingFlush;
  private int unflushedBytes;

  private ChatSocket(Channel channel, ContextInternal context, int maxMessageBytes) {
    this.channel = channel;
    this.context = context;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Replaces Vert.x's WebSocket handler on a freshly upgraded channel. Call on the channel's event loop,
   * right after the handshake, before the client's first frame can be read.
   */
  static ChatSocket takeOver(Channel channel, ContextInternal context, int maxMessageBytes, int sendQueueBytes) {
    ChatSocket socket = new ChatSocket(channel, context, maxMessageBytes);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(sendQueueBytes / 2, sendQueueBytes));
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(ChunkedWriteHandler.class) != null) {
      pipeline.remove(ChunkedWriteHandler.class); // Vert.x's, for sending files over HTTP: on every write's path
    }
    pipeline.addBefore("handler", "ws-utf8", new Utf8FrameValidator(false));
    pipeline.addBefore("handler", "ws-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
    pipeline.replace("handler", "chat", socket);
    return socket;
  }

  /** Starts delivering frames to {@code listener}; frames that arrived before wait in the channel. */
  void listen(Listener listener) {
    this.listener = listener;
    this.onText = listener::onText;
  }

  /**
   * Writes one text frame around {@code utf8}, already encoded once for every recipient. The flush waits
   * for the end of this event-loop turn, so frames written to this socket in one turn leave together.
   */
  void sendText(byte[] utf8) {
    if (closeSent) {
      return;
    }
    ByteBuf frame = TextFrame.encode(channel.alloc(), utf8);
    if (channel.eventLoop().inEventLoop()) {
      write(frame, frame.readableBytes());
    } else {
      channel.writeAndFlush(frame, channel.voidPromise()); // the loop flusher is confined to the loop's thread
    }
  }

  void sendPing() {
    if (!closeSent) {
      write(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'p'})), 3);
    }
  }

  /** True when this many bytes are already waiting for the client: it is not keeping up. */
  boolean sendQueueFull() {
    return !channel.isWritable();
  }

  boolean isClosed() {
    return closeSent || !channel.isActive();
  }

  /** Sends a close frame; the TCP connection ends when the client answers it, or after a timeout. */
  void close(CloseCode code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    if (!channel.isActive()) {
      return;
    }
    channel.writeAndFlush(new CloseWebSocketFrame(code.code, reason));
    channel.eventLoop().schedule(() -> channel.close(), CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (listener == null || closeSent && !(msg instanceof CloseWebSocketFrame)) {
        return; // a closing session reads nothing but the client's answer to its close
      }
      if (msg instanceof TextWebSocketFrame text) {
        // the UTF-8 validator has already refused bad bytes: decoding cannot replace anything here
        context.dispatch(text.content().toString(StandardCharsets.UTF_8), onText);
      } else if (msg instanceof PongWebSocketFrame) {
        context.dispatch(v -> listener.onHeard());
      } else if (msg instanceof PingWebSocketFrame ping) {
        write(new PongWebSocketFrame(ping.content().retain()), 2 + ping.content().readableBytes());
        context.dispatch(v -> listener.onHeard());
      } else if (msg instanceof CloseWebSocketFrame close) {
        answerClose(close);
      } else if (msg instanceof BinaryWebSocketFrame) {
        context.dispatch(v -> listener.onBinary());
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void answerClose(CloseWebSocketFrame close) {
    if (closeSent) {
      channel.close(); // the client's answer to our close: the handshake is complete
      return;
    }
    closeSent = true;
    int code = close.statusCode();
    CloseWebSocketFrame answer = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null);
    channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      // a message fragmented past the limit (a single frame past it is a CorruptedWebSocketFrameException)
      refuse(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message over " + maxMessageBytes / 1024 + " KiB");
    } else if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      WebSocketCloseStatus status = corrupt.closeStatus() != null ? corrupt.closeStatus() : WebSocketCloseStatus.PROTOCOL_ERROR;
      refuse(status, status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
          ? "frame over " + maxMessageBytes / 1024 + " KiB" : corrupt.getMessage());
    } else {
      channel.close(); // a reset or another I/O failure: there is no one left to tell
    }
  }

  /**
   * Closes at once over a frame that breaks the protocol or the size limit, naming why. The decoder reads
   * nothing more after such a frame, so the client's answer to the close could not be heard anyway.
   */
  private void refuse(WebSocketCloseStatus status, String reason) {
    if (closeSent) {
      channel.close();
      return;
    }
    closeSent = true;
    if (listener != null) {
      boolean tooBig = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
      context.dispatch(v -> listener.onViolation(tooBig));
    }
    channel.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (listener != null) {
      context.dispatch(v -> listener.onClosed());
    }
  }

  /**
   * Writes now and flushes at the end of the turn, or at once when this much is already unflushed: a loop
   * working through a backlog of fan-out tasks must not hold a reader's frames back until its send queue
   * looks full.
   */
  private void write(Object frame, int bytes) {
    channel.write(frame, channel.voidPromise());
    unflushedBytes += bytes;
    if (unflushedBytes >= FLUSH_AT_BYTES) {
      flushNow();
    } else if (!awaitingFlush) {
      awaitingFlush = true;
      LoopFlusher.flushSoon(this);
    }
  }

  private void flushNow() {
    if (unflushedBytes > 0) {
      unflushedBytes = 0;
      channel.flush();
    }
  }

  /**
   * Flushes, once per event-loop turn, every socket written to in it. Fan-out writes one event to thousands of
   * sockets in one turn; a flush task per socket (as Netty's FlushConsolidationHandler schedules) cost more
   * than the writes themselves.
   */
  private static final class LoopFlusher implements Runnable {
    private static final FastThreadLocal<LoopFlusher> PER_THREAD = new FastThreadLocal<>() {
      @Override
      protected LoopFlusher initialValue() {
        return new LoopFlusher();
      }
    };

    private ArrayList<ChatSocket> dirty = new ArrayList<>();
    private ArrayList<ChatSocket> flushing = new ArrayList<>();
    private boolean scheduled;

    static void flushSoon(ChatSocket socket) {
      LoopFlusher flusher = PER_THREAD.get();
      flusher.dirty.add(socket);
      if (!flusher.scheduled) {
        flusher.scheduled = true;
        socket.channel.eventLoop().execute(flusher);
      }
    }

    @Override
    public void run() {
      ArrayList<ChatSocket> batch = dirty;
      dirty = flushing;
      flushing = batch;
      scheduled = false;
      for (int i = 0; i < batch.size(); i++) {
        ChatSocket socket = batch.get(i);
        socket.awaitingFlush = false;
        socket.flushNow();
      }
      batch.clear();
    }
  }

  /** Server-to-client text frames: unmasked, unfragmented, so the header is two to ten bytes before the payload. */
  static final class TextFrame {
    private TextFrame() {}

    static ByteBuf encode(io.netty.buffer.ByteBufAllocator alloc, byte[] payload) {
      int length = payload.length;
      int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
      ByteBuf frame = alloc.ioBuffer(header + length);
      frame.writeByte(0x81); // FIN, text
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
  }
}
