package io.chatroom.gateway;

import io.chatroom.gateway.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket after its handshake, on plain Netty: Vert.x performs the handshake, then this handler takes the
 * channel over from Vert.x's WebSocket. The Vert.x WebSocket keeps, per connection, a message queue, a
 * promise per written frame and the whole upgrade request; a chat server holds tens of thousands of idle
 * sockets and writes one event to thousands of them at once, so it keeps only the channel, right behind
 * Netty's frame decoder, and writes frames it encoded itself with a void promise. Fan-out touches every
 * subscriber's objects once per event, and with thousands of subscribers each one is a cache miss: the fewer
 * handlers a write passes and objects it reads, the cheaper a delivery.
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
     * WebSocket protocol (text that is not UTF-8, a bad opcode or fragment: 1007 or 1002). The socket is
     * already closing.
     */
    void onViolation(boolean tooBig);

    /** The socket is gone, whoever closed it. Called once. */
    void onClosed();
  }

  private final Channel channel;
  private final ContextInternal context;
  private final int maxMessageBytes;
  /** This handler's place in the pipeline: writes start here and pass only what lies between it and the socket. */
  private ChannelHandlerContext ctx;
  private Listener listener;
  private Handler<String> onText;
  private boolean closeSent;
  /** Ends the connection if the client never answers our close frame; cancelled once the connection ends. */
  private ScheduledFuture<?> closeTimeout;
  private boolean inactive;
  /** Queued on this loop's flusher. */
  private boolean awaitingFlush;
  private int unflushedBytes;
  /** The fragments so far of a message that came in pieces; null between messages. */
  private ByteBuf fragments;
  private boolean fragmentsAreText;

  private ChatSocket(Channel channel, ContextInternal context, int maxMessageBytes) {
    this.channel = channel;
    this.context = context;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Replaces Vert.x's WebSocket handler on a freshly upgraded channel, and calls {@code listener} from then
   * on. Call on the channel's event loop, right after the handshake, before the client's first frame is read.
   */
  static ChatSocket takeOver(Channel channel, ContextInternal context, int maxMessageBytes, int sendQueueBytes) {
    ChatSocket socket = new ChatSocket(channel, context, maxMessageBytes);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(sendQueueBytes / 2, sendQueueBytes));
    ChannelPipeline pipeline = channel.pipeline();
    // Vert.x's chunked-file writer and Netty's frame encoder: this handler writes encoded frames itself
    List<ChannelHandler> unused = new ArrayList<>();
    pipeline.forEach(entry -> {
      if (entry.getValue() instanceof ChunkedWriteHandler || entry.getValue() instanceof WebSocketFrameEncoder) {
        unused.add(entry.getValue());
      }
    });
    unused.forEach(pipeline::remove);
    pipeline.replace("handler", "chat", socket);
    return socket;
  }

  void listen(Listener listener) {
    this.listener = listener;
    this.onText = listener::onText;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Writes one text frame around {@code utf8}, already encoded once for every recipient. The flush waits
   * for the end of this event-loop turn, so frames written to this socket in one turn leave together.
   */
  void sendText(byte[] utf8) {
    if (closeSent) {
      return;
    }
    ByteBuf frame = WebSocketFrames.text(ctx.alloc(), utf8);
    if (ctx.executor().inEventLoop()) {
      write(frame);
    } else {
      ctx.writeAndFlush(frame, ctx.voidPromise()); // the loop flusher is confined to the loop's thread
    }
  }

  void sendPing() {
    if (!closeSent) {
      write(WebSocketFrames.control(ctx.alloc(), WebSocketFrames.PING, new byte[] {'p'}));
    }
  }

  /** True when this many bytes are already waiting for the client: it is not keeping up. */
  boolean sendQueueFull() {
    return !channel.isWritable();
  }

  boolean isClosed() {
    return closeSent || inactive;
  }

  /** Sends a close frame; the TCP connection ends when the client answers it, or after a timeout. */
  void close(CloseCode code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    if (inactive) {
      return;
    }
    ctx.writeAndFlush(WebSocketFrames.close(ctx.alloc(), code.code, reason), ctx.voidPromise());
    closeTimeout = ctx.executor().schedule(() -> channel.close(), CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (listener == null || closeSent && !(msg instanceof CloseWebSocketFrame)) {
        return; // a closing session reads nothing but the client's answer to its close
      }
      if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
        begin((WebSocketFrame) msg);
      } else if (msg instanceof ContinuationWebSocketFrame continuation) {
        proceed(continuation);
      } else if (msg instanceof PongWebSocketFrame) {
        context.dispatch(v -> listener.onHeard());
      } else if (msg instanceof PingWebSocketFrame ping) {
        write(WebSocketFrames.control(ctx.alloc(), WebSocketFrames.PONG, ByteBufUtil.getBytes(ping.content())));
        context.dispatch(v -> listener.onHeard());
      } else if (msg instanceof CloseWebSocketFrame close) {
        answerClose(close);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** The first (often the only) frame of a message. */
  private void begin(WebSocketFrame frame) {
    if (fragments != null) {
      refuse(WebSocketCloseStatus.PROTOCOL_ERROR, "a new message began before the last one ended");
      return;
    }
    boolean text = frame instanceof TextWebSocketFrame;
    if (frame.isFinalFragment()) {
      complete(text, frame.content());
      return;
    }
    fragmentsAreText = text;
    fragments = ctx.alloc().heapBuffer(Math.min(frame.content().readableBytes() * 2, maxMessageBytes), maxMessageBytes);
    fragments.writeBytes(frame.content());
  }

  private void proceed(ContinuationWebSocketFrame frame) {
    if (fragments == null) {
      refuse(WebSocketCloseStatus.PROTOCOL_ERROR, "a continuation frame with no message to continue");
      return;
    }
    if (fragments.readableBytes() + frame.content().readableBytes() > maxMessageBytes) {
      refuse(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message over " + maxMessageBytes / 1024 + " KiB");
      return;
    }
    fragments.writeBytes(frame.content());
    if (frame.isFinalFragment()) {
      ByteBuf whole = fragments;
      fragments = null;
      try {
        complete(fragmentsAreText, whole);
      } finally {
        whole.release();
      }
    }
  }

  private void complete(boolean text, ByteBuf content) {
    if (!text) {
      context.dispatch(v -> listener.onBinary());
    } else if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
      refuse(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "text is not valid UTF-8");
    } else {
      context.dispatch(content.toString(StandardCharsets.UTF_8), onText);
    }
  }

  private void answerClose(CloseWebSocketFrame close) {
    if (closeSent) {
      channel.close(); // the client's answer to our close: the handshake is complete
      return;
    }
    closeSent = true;
    int code = close.statusCode();
    ByteBuf answer = code < 0 ? WebSocketFrames.control(ctx.alloc(), WebSocketFrames.CLOSE, new byte[0]) : WebSocketFrames.close(ctx.alloc(), (short) code, "");
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      WebSocketCloseStatus status = corrupt.closeStatus() != null ? corrupt.closeStatus() : WebSocketCloseStatus.PROTOCOL_ERROR;
      refuse(status, status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
          ? "frame over " + maxMessageBytes / 1024 + " KiB" : corrupt.getMessage());
    } else {
      channel.close(); // a reset or another I/O failure: there is no one left to tell
    }
  }

  /**
   * Closes at once over a frame that breaks the protocol or the size limit, naming why. The decoder reads
   * nothing more after a bad frame, so the client's answer to the close could not be heard anyway.
   */
  private void refuse(WebSocketCloseStatus status, String reason) {
    releaseFragments();
    if (closeSent) {
      channel.close();
      return;
    }
    closeSent = true;
    if (listener != null) {
      boolean tooBig = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
      context.dispatch(v -> listener.onViolation(tooBig));
    }
    ctx.writeAndFlush(WebSocketFrames.close(ctx.alloc(), (short) status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive = true;
    if (closeTimeout != null) {
      closeTimeout.cancel(false); // else the scheduled task keeps this closed channel reachable for seconds
      closeTimeout = null;
    }
    releaseFragments();
    if (listener != null) {
      context.dispatch(v -> listener.onClosed());
    }
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  /**
   * Writes now and flushes at the end of the turn, or at once when this much is already unflushed: a loop
   * working through a backlog of fan-out tasks must not hold a reader's frames back until its send queue
   * looks full.
   */
  private void write(ByteBuf frame) {
    unflushedBytes += frame.readableBytes();
    ctx.write(frame, ctx.voidPromise());
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
      ctx.flush();
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
        socket.ctx.executor().execute(flusher);
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
}
