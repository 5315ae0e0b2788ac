package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.message.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTest {
  private static final String SYSTEM = "Be brief.";

  private static Message m(long seq, String from, String text) {
    return new Message(1, "general", seq, from.equals("ai") ? 3 : 1, from, text, 0, null);
  }

  private static Question q(String from, String text) {
    return new Question(1, "general", 100, 1, from, text);
  }

  private static Prompt build(int budget, List<Message> history, Question q) {
    return Prompt.build("model", SYSTEM, budget, history, q, "ai");
  }

  @Test
  void theConversationIsGivenAsAlternatingTurnsEndingWithTheQuestion() {
    Prompt p = build(10_000, List.of(
        m(1, "ai", "an answer nobody asked for"),
        m(2, "alice", "@ai what is a monad?"),
        m(3, "ai", "A monoid in the category of endofunctors."),
        m(4, "bob", "ha"),
        m(5, "alice", "so?")), q("alice", "explain it simply"));

    assertThat(p.turns()).extracting(AiProvider.Turn::role).containsExactly("system", "user", "assistant", "user");
    assertThat(p.turns().get(0).content()).isEqualTo(SYSTEM);
    assertThat(p.turns().get(1).content()).isEqualTo("alice: @ai what is a monad?");
    assertThat(p.turns().get(2).content()).isEqualTo("A monoid in the category of endofunctors.");
    assertThat(p.turns().get(3).content()).isEqualTo("bob: ha\nalice: so?\n\nexplain it simply");
  }

  @Test
  void onlyTheNewestMessagesThatFitTheBudgetAreKept() {
    List<Message> history = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      history.add(m(i, "bob", "message number " + i + " " + "x".repeat(60)));
    }
    int perMessage = Prompt.estimateTokens("bob: " + history.get(0).text());
    int fixed = Prompt.estimateTokens(SYSTEM) + Prompt.estimateTokens("next?");
    Prompt p = build(fixed + perMessage * 5 + perMessage / 2, history, q("alice", "next?"));

    assertThat(p.historyUsed()).isEqualTo(5);
    String context = p.turns().get(1).content();
    assertThat(context).startsWith("bob: message number 36 ").contains("message number 40").doesNotContain("number 35 ");
    assertThat(p.estimatedTokens()).isLessThanOrEqualTo(fixed + perMessage * 5 + perMessage / 2);
  }

  @Test
  void aQuestionAloneOverTheBudgetIsStillAsked() {
    Prompt p = build(10, List.of(m(1, "bob", "hello")), q("alice", "y".repeat(400)));
    assertThat(p.historyUsed()).isZero();
    assertThat(p.turns()).extracting(AiProvider.Turn::role).containsExactly("system", "user");
  }

  @Test
  void theCacheKeyIsTheSameForAnyAskerOfTheSameQuestionInTheSameConversation() {
    List<Message> history = List.of(m(1, "bob", "we talk about Java"));
    String key = build(1000, history, q("alice", "What is a record?")).cacheKey();

    assertThat(build(1000, history, q("carol", "what is a  record")).cacheKey()).isEqualTo(key);
    assertThat(build(1000, history, q("alice", "What is a class?")).cacheKey()).isNotEqualTo(key);
    assertThat(build(1000, List.of(m(1, "bob", "we talk about Kotlin")), q("alice", "What is a record?")).cacheKey()).isNotEqualTo(key);
    assertThat(build(1000, List.of(), q("alice", "What is a record?")).cacheKey()).isNotEqualTo(key);
    assertThat(Prompt.build("other-model", SYSTEM, 1000, history, q("alice", "What is a record?"), "ai").cacheKey()).isNotEqualTo(key);
  }
}
