package io.chatroom.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server text frames are encoded by hand (RFC 6455 section 5.2); the three length forms are where mistakes hide. */
class TextFrameTest {
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 300_000})
  void headerCarriesTheLengthInTheShortestFormThenThePayload(int length) {
    byte[] payload = new byte[length];
    for (int i = 0; i < length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    ByteBuf frame = ChatSocket.TextFrame.encode(UnpooledByteBufAllocator.DEFAULT, payload);
    try {
      assertThat(frame.readUnsignedByte()).as("FIN and opcode 1").isEqualTo((short) 0x81);
      int marker = frame.readUnsignedByte();
      assertThat(marker & 0x80).as("server frames are not masked").isZero();
      long decoded = marker < 126 ? marker : marker == 126 ? frame.readUnsignedShort() : frame.readLong();
      assertThat(decoded).isEqualTo(length);
      int expectedHeader = length < 126 ? 2 : length <= 65_535 ? 4 : 10;
      assertThat(frame.readerIndex()).isEqualTo(expectedHeader);
      byte[] body = new byte[frame.readableBytes()];
      frame.readBytes(body);
      assertThat(body).isEqualTo(payload);
    } finally {
      frame.release();
    }
  }
}
