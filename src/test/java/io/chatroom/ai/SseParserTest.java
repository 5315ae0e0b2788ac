package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private final List<String> events = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add);

  private void feed(String text) {
    parser.feed(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eventsEndAtABlankLineWhateverTheLineEndings() {
    feed("data: one\n\ndata: two\r\n\r\ndata: three\r\rdata:four\n\n");
    assertThat(events).containsExactly("one", "two", "three", "four");
  }

  @Test
  void piecesSplitInsideALineOrACharacterAreJoinedFirst() {
    byte[] bytes = "data: {\"content\":\"héllo 😀\"}\n\n".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      parser.feed(new byte[] {b});
    }
    assertThat(events).containsExactly("{\"content\":\"héllo 😀\"}");
  }

  @Test
  void severalDataLinesMakeOneEventAndOtherFieldsAndCommentsAreSkipped() {
    feed(": keep-alive\nevent: chunk\nid: 7\ndata: first\ndata: second\nretry: 100\n\n");
    assertThat(events).containsExactly("first\nsecond");
  }

  @Test
  void aLastEventWithoutItsBlankLineCountsWhenTheStreamEnds() {
    feed("data: [DONE]");
    assertThat(events).isEmpty();
    parser.end();
    assertThat(events).containsExactly("[DONE]");
  }

  @Test
  void aLineThatNeverEndsIsRefusedBeforeItFillsMemory() {
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    assertThatThrownBy(() -> {
      for (int i = 0; i <= SseParser.MAX_LINE_BYTES / chunk.length; i++) {
        parser.feed(chunk);
      }
    }).isInstanceOf(IllegalStateException.class);
  }
}
