package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Await;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every HotQuestions promises; run against each implementation. */
abstract class HotQuestionsContract {
  /** A fresh store no other test uses. */
  abstract HotQuestions store();

  static List<HotQuestions.Entry> top(HotQuestions store, int limit) {
    return store.top(limit).toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void theMostAskedComeFirstWithTheirCounts() {
    HotQuestions store = store();
    for (int i = 0; i < 3; i++) {
      store.count("what is a monad");
    }
    store.count("how do i resume");
    store.count("how do i resume");
    store.count("what is 😀");

    Await.until(() -> top(store, 10).stream().mapToLong(HotQuestions.Entry::count).sum() == 6);
    assertThat(top(store, 10)).containsExactly(
        new HotQuestions.Entry("what is a monad", 3),
        new HotQuestions.Entry("how do i resume", 2),
        new HotQuestions.Entry("what is 😀", 1));
    assertThat(top(store, 1)).containsExactly(new HotQuestions.Entry("what is a monad", 3));
  }

  @Test
  void nothingAskedIsAnEmptyList() {
    assertThat(top(store(), 5)).isEmpty();
  }
}
