package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server frames are encoded by hand (RFC 6455 section 5.2); the length forms and the close limit are where mistakes hide. */
class WebSocketFramesTest {
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 300_000})
  void aTextFrameCarriesItsLengthInTheShortestFormThenThePayload(int length) {
    byte[] payload = new byte[length];
    for (int i = 0; i < length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    ByteBuf frame = WebSocketFrames.text(UnpooledByteBufAllocator.DEFAULT, payload);
    try {
      assertThat(frame.readUnsignedByte()).as("FIN and opcode 1").isEqualTo((short) 0x81);
      int marker = frame.readUnsignedByte();
      assertThat(marker & 0x80).as("server frames are not masked").isZero();
      long decoded = marker < 126 ? marker : marker == 126 ? frame.readUnsignedShort() : frame.readLong();
      assertThat(decoded).isEqualTo(length);
      int expectedHeader = length < 126 ? 2 : length <= 65_535 ? 4 : 10;
      assertThat(frame.readerIndex()).isEqualTo(expectedHeader);
      assertThat(bytes(frame)).isEqualTo(payload);
    } finally {
      frame.release();
    }
  }

  @Test
  void aCloseFrameCarriesItsCodeAndReason() {
    ByteBuf frame = WebSocketFrames.close(UnpooledByteBufAllocator.DEFAULT, (short) 1013, "too slow");
    try {
      assertThat(frame.readUnsignedByte()).isEqualTo((short) 0x88);
      assertThat(frame.readUnsignedByte()).isEqualTo((short) 10);
      assertThat(frame.readUnsignedShort()).isEqualTo(1013);
      assertThat(new String(bytes(frame), StandardCharsets.UTF_8)).isEqualTo("too slow");
    } finally {
      frame.release();
    }
  }

  @Test
  void aLongCloseReasonIsCutToFitAControlFrameWithoutSplittingACharacter() {
    String reason = "é".repeat(100); // 200 bytes of UTF-8
    ByteBuf frame = WebSocketFrames.close(UnpooledByteBufAllocator.DEFAULT, (short) 1008, reason);
    try {
      frame.skipBytes(1);
      int length = frame.readUnsignedByte();
      assertThat(length).isLessThanOrEqualTo(125).isEqualTo(frame.readableBytes());
      frame.skipBytes(2);
      String cut = new String(bytes(frame), StandardCharsets.UTF_8);
      assertThat(cut).isEqualTo("é".repeat(61));
    } finally {
      frame.release();
    }
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] out = new byte[buf.readableBytes()];
    buf.readBytes(out);
    return out;
  }
}
