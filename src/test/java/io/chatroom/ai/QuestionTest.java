package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.message.Message;
import org.junit.jupiter.api.Test;

class QuestionTest {
  private static final long AI = 3;

  private static Message message(String room, long userId, String from, String text) {
    return new Message(1, room, 5, userId, from, text, 0, null);
  }

  @Test
  void aMessageStartingWithTheMentionAsksWhatFollowsIt() {
    Question q = Question.of(message("general", 1, "alice", "@ai  what is\na monad? "), AI, "system");
    assertThat(q).isNotNull();
    assertThat(q.text()).isEqualTo("what is\na monad?");
    assertThat(q.seq()).isEqualTo(5);
    assertThat(Question.of(message("general", 1, "alice", "@AI hello"), AI, "system")).isNotNull();
  }

  @Test
  void otherMessagesInARoomAskNothing() {
    assertThat(Question.of(message("general", 1, "alice", "hello @ai there"), AI, "system")).isNull();
    assertThat(Question.of(message("general", 1, "alice", "@aid is not a mention"), AI, "system")).isNull();
    assertThat(Question.of(message("general", 1, "alice", "@ai   "), AI, "system")).isNull();
    assertThat(Question.of(message("general", 1, "alice", "@ai"), AI, "system")).isNull();
  }

  @Test
  void inADirectRoomWithAiEveryMessageIsAQuestionButInOtherDirectRoomsNot() {
    assertThat(Question.of(message("dm-1-3", 1, "alice", "how are you?"), AI, "system").text()).isEqualTo("how are you?");
    assertThat(Question.of(message("dm-3-9", 9, "zed", "@ai hi"), AI, "system").text()).isEqualTo("hi");
    assertThat(Question.of(message("dm-1-2", 1, "alice", "how are you?"), AI, "system")).isNull();
    assertThat(Question.of(message("dm-13-30", 13, "alice", "how are you?"), AI, "system")).isNull();
  }

  @Test
  void theAssistantAndTheSystemNeverAsk() {
    assertThat(Question.of(message("dm-1-3", AI, "ai", "an answer"), AI, "system")).isNull();
    assertThat(Question.of(message("general", AI, "ai", "@ai myself?"), AI, "system")).isNull();
    assertThat(Question.of(message("ops", 2, "system", "@ai alert"), AI, "system")).isNull();
    Message reply = new Message(1, "general", 6, 1, "alice", "@ai x", 0, null, 5L, false);
    assertThat(Question.of(reply, AI, "system")).isNull();
  }

  @Test
  void normalisingIgnoresCaseSpacingWidthAndTrailingPunctuation() {
    assertThat(Question.normalize("  What IS   a\tMonad?!  ")).isEqualTo("what is a monad");
    assertThat(Question.normalize("ＡＢＣ？")).isEqualTo("abc");
    assertThat(Question.normalize("what is 2.5")).isEqualTo("what is 2.5");
    Question long1 = new Question(1, "r", 1, 1, "a", "x".repeat(300));
    assertThat(long1.hotKey()).hasSize(Question.MAX_NORMALIZED + 1).endsWith("…");
    assertThat(long1.normalized()).hasSize(300);
  }
}
