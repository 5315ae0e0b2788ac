package io.chatroom.jmh;

import io.chatroom.gateway.WebSocketFrames;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-message codec work of the hot path: encoding a committed message once for all its subscribers, the
 * WebSocket frame each subscriber then gets around those bytes, and parsing a client's send frame (the durable
 * profile's event-loop time).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameEncodingBenchmark {
  private final ServerFrame.MessageEvent message =
      new ServerFrame.MessageEvent("general", 45, "alice", "a message of about sixty-four bytes, like the bench sends", 1795555744000L, "b1-42");
  private final byte[] encoded = Protocol.encode(message);
  private final String send = "{\"type\":\"send\",\"id\":2,\"room\":\"general\",\"text\":\"a message of about sixty-four bytes, like the bench sends\","
      + "\"clientMsgId\":\"b1-42\"}";

  @Benchmark
  public byte[] encodeMessageEvent() {
    return Protocol.encode(message);
  }

  /** Per subscriber: a pooled buffer with the frame header and a copy of the shared bytes, released as a socket would. */
  @Benchmark
  public int frameForOneSubscriber() {
    ByteBuf frame = WebSocketFrames.text(PooledByteBufAllocator.DEFAULT, encoded);
    int bytes = frame.readableBytes();
    frame.release();
    return bytes;
  }

  @Benchmark
  public Object parseSendFrame() {
    return Protocol.parseClientFrame(send);
  }
}
