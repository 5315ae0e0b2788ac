package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalHotQuestionsTest extends HotQuestionsContract {
  @Override
  HotQuestions store() {
    return new LocalHotQuestions();
  }

  @Test
  void whenFullTheOneOffsMakeRoomAndTheRepeatedStay() {
    LocalHotQuestions store = new LocalHotQuestions();
    store.count("asked twice");
    store.count("asked twice");
    for (int i = 0; i < LocalHotQuestions.MAX_QUESTIONS + 10; i++) {
      store.count("one-off " + i);
    }
    assertThat(top(store, LocalHotQuestions.MAX_QUESTIONS * 2)).hasSizeLessThanOrEqualTo(LocalHotQuestions.MAX_QUESTIONS);
    assertThat(top(store, 1)).containsExactly(new HotQuestions.Entry("asked twice", 2));
  }
}
