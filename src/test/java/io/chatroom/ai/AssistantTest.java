package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.testing.Await;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assistant end to end: a real node, real WebSockets, and a fake OpenAI-compatible provider on loopback
 * that streams, refuses, stalls or breaks off as each test scripts it.
 */
class AssistantTest {
  @TempDir
  Path dataDir;
  FakeOpenAi provider;
  TestServer server;
  final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    if (server != null) {
      server.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  /** A node asking the fake provider (on loopback, so no key is needed), with {@code env} on top. */
  private Http start(String... env) {
    provider = FakeOpenAi.start();
    Map<String, String> all = new HashMap<>();
    all.put("AI_BASE_URL", provider.baseUrl());
    all.put("AI_MODEL", "test-model");
    for (int i = 0; i < env.length; i += 2) {
      all.put(env[i], env[i + 1]);
    }
    return startWith(all);
  }

  private Http startWith(Map<String, String> env) {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), env);
    return server.http();
  }

  private WsClient connect(Http.Account account, String... rooms) {
    WsClient c = WsClient.connect(server.port(), account.token());
    clients.add(c);
    for (String room : rooms) {
      assertThat(c.join(room).path("type").asText()).isEqualTo("ok");
    }
    return c;
  }

  /** Sends {@code text} and returns its seq. */
  private static long ask(WsClient c, String room, String text) {
    JsonNode ok = c.send(room, text, null);
    assertThat(ok.path("type").asText()).as(ok.toString()).isEqualTo("ok");
    return ok.path("seq").asLong();
  }

  /** What a member sees of one answer: its deltas, then the message that ends it. */
  record Seen(List<JsonNode> deltas, JsonNode message, List<JsonNode> others) {
    String streamed() {
      StringBuilder text = new StringBuilder();
      deltas.forEach(d -> text.append(d.path("text").asText()));
      return text.toString();
    }
  }

  /** Reads frames until the ai's message answering {@code seq} in {@code room}, or an ai_error about it. */
  private static Seen answerTo(WsClient c, String room, long seq) {
    List<JsonNode> deltas = new ArrayList<>();
    List<JsonNode> others = new ArrayList<>();
    while (true) {
      JsonNode f = c.next();
      String type = f.path("type").asText();
      boolean ours = room.equals(f.path("room").asText()) && f.path("replyTo").asLong() == seq;
      if (type.equals("ai_delta") && ours) {
        deltas.add(f);
      } else if ((type.equals("message") || type.equals("ai_error")) && ours) {
        return new Seen(deltas, f, others);
      } else {
        others.add(f);
      }
    }
  }

  private String scrape() {
    return server.node().metrics().scrape();
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  @Test
  void anAnswerStreamsInOrderAndIsCommittedOnceAsAMessageFromAi() {
    Http http = start();
    provider.then(FakeOpenAi.slowAnswer(150, "Hello", ", ", "wor", "ld", "!"));
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice, "general");
    WsClient b = connect(bob, "general");
    ask(a, "general", "hi bob");

    long question = ask(a, "general", "@ai say hello");
    Seen seen = answerTo(b, "general", question);

    assertThat(seen.deltas()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(seen.streamed()).isEqualTo("Hello, world!");
    JsonNode answer = seen.message();
    assertThat(answer.path("type").asText()).isEqualTo("message");
    assertThat(answer.path("from").asText()).isEqualTo("ai");
    assertThat(answer.path("text").asText()).isEqualTo("Hello, world!");
    assertThat(answer.path("replyTo").asLong()).isEqualTo(question);
    assertThat(answer.path("seq").asLong()).isEqualTo(question + 1);
    assertThat(answer.has("interrupted")).isFalse();
    assertThat(answerTo(a, "general", question).message().path("seq").asLong()).isEqualTo(question + 1);

    // the prompt: the model, streaming, the room's conversation before the question, and the question alone
    JsonNode request = provider.requests().get(0);
    assertThat(request.path("model").asText()).isEqualTo("test-model");
    assertThat(request.path("stream").asBoolean()).isTrue();
    List<JsonNode> turns = list(request.path("messages"));
    assertThat(turns.get(0).path("role").asText()).isEqualTo("system");
    assertThat(turns.get(turns.size() - 1).path("content").asText()).isEqualTo("alice: hi bob\n\nsay hello");
    assertThat(provider.authorizations().get(0)).isEqualTo("null"); // a loopback provider without AI_API_KEY

    // history and resume hold the answer exactly once, with its replyTo; ordinary messages have none
    List<JsonNode> history = list(http.get("/api/rooms/general/messages", alice.token()).body().path("messages"));
    assertThat(history).extracting(m -> m.path("from").asText()).containsExactly("alice", "alice", "ai");
    assertThat(history.get(2).path("replyTo").asLong()).isEqualTo(question);
    assertThat(history.get(1).has("replyTo")).isFalse();
    WsClient resumed = connect(alice);
    resumed.request("join", "room", "general", "since", 0);
    List<JsonNode> replayed = resumed.drain(Duration.ofMillis(300)).stream()
        .filter(f -> f.path("type").asText().equals("message")).toList();
    assertThat(replayed).extracting(m -> m.path("from").asText()).containsExactly("alice", "alice", "ai");
    assertThat(replayed.get(2).path("replyTo").asLong()).isEqualTo(question);

    // and it was never answered twice
    assertThat(b.drain(Duration.ofMillis(500))).noneMatch(f -> f.path("from").asText().equals("ai"));
    assertThat(provider.calls()).isEqualTo(1);
    assertThat(scrape()).contains("chatroom_ai_requests_total{outcome=\"answered\"} 1.0")
        .contains("chatroom_ai_tokens_total{direction=\"in\"} 42.0")
        .contains("chatroom_ai_tokens_total{direction=\"out\"} 7.0")
        .contains("chatroom_ai_first_token_seconds_count 1");
  }

  @Test
  void aRepeatedQuestionIsAnsweredFromTheCacheWithoutAskingTheProvider() {
    Http http = start();
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice, "first-room", "second-room");

    long first = ask(a, "first-room", "@ai What is 2+2?");
    String answer = answerTo(a, "first-room", first).message().path("text").asText();
    assertThat(provider.calls()).isEqualTo(1);

    // the same question, spelled a little differently, in a conversation just as empty
    long again = ask(a, "second-room", "@AI   what is 2+2");
    Seen cached = answerTo(a, "second-room", again);
    assertThat(cached.message().path("from").asText()).isEqualTo("ai");
    assertThat(cached.message().path("text").asText()).isEqualTo(answer);
    assertThat(provider.calls()).isEqualTo(1);
    assertThat(scrape()).contains("chatroom_ai_requests_total{outcome=\"cached\"} 1.0");

    // in a conversation that has moved on, the same words are a new question
    long followUp = ask(a, "first-room", "@ai what is 2+2");
    assertThat(answerTo(a, "first-room", followUp).message().path("from").asText()).isEqualTo("ai");
    assertThat(provider.calls()).isEqualTo(2);
  }

  @Test
  void identicalQuestionsAskedAtOnceShareOneProviderCall() {
    Http http = start();
    provider.then(FakeOpenAi.slowAnswer(300, "One", " call", " for", " both."));
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice, "room-a");
    WsClient b = connect(bob, "room-b");

    long qa = ask(a, "room-a", "@ai how do I resume a chat?");
    long qb = ask(b, "room-b", "@ai how do I resume a chat?");

    assertThat(answerTo(a, "room-a", qa).message().path("text").asText()).isEqualTo("One call for both.");
    Seen shared = answerTo(b, "room-b", qb);
    assertThat(shared.message().path("type").asText()).isEqualTo("message");
    assertThat(shared.message().path("text").asText()).isEqualTo("One call for both.");
    assertThat(provider.calls()).isEqualTo(1);
  }

  @Test
  void overTheQuestionBudgetTheAskerAloneIsToldRateLimited() {
    Http http = start("AI_RATE_PER_MINUTE", "1");
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice, "general");
    WsClient b = connect(bob, "general");

    long first = ask(a, "general", "@ai first question");
    assertThat(answerTo(a, "general", first).message().path("type").asText()).isEqualTo("message");
    long second = ask(a, "general", "@ai second question");
    JsonNode refusal = answerTo(a, "general", second).message();

    assertThat(refusal.path("type").asText()).isEqualTo("ai_error");
    assertThat(refusal.path("code").asText()).isEqualTo("rate_limited");
    assertThat(refusal.path("message").asText()).contains("1 question a minute");
    assertThat(refusal.path("retryAfterMs").asLong()).isPositive();
    assertThat(provider.calls()).isEqualTo(1);
    // the question is stored like any message; the refusal went to the asker only
    assertThat(answerTo(b, "general", first).message().path("from").asText()).isEqualTo("ai");
    ask(b, "general", "after the refusal");
    assertThat(b.messages("general", 2)).extracting(m -> m.path("text").asText())
        .containsExactly("@ai second question", "after the refusal");
    assertThat(scrape()).contains("chatroom_ai_requests_total{outcome=\"rate_limited\"} 1.0");
  }

  @Test
  void whenEveryCallSlotIsTakenAQuestionIsRefusedAtOnce() {
    Http http = start("AI_MAX_CONCURRENT", "1", "AI_QUEUE_SIZE", "0");
    provider.then(new FakeOpenAi.Stall());
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice, "general", "other");

    ask(a, "general", "@ai a question that hangs");
    Await.until(() -> provider.stalled() == 1);
    long second = ask(a, "other", "@ai another question");
    JsonNode refusal = answerTo(a, "other", second).message();

    assertThat(refusal.path("type").asText()).isEqualTo("ai_error");
    assertThat(refusal.path("code").asText()).isEqualTo("rate_limited");
    assertThat(refusal.path("message").asText()).contains("busy");
    assertThat(provider.calls()).isEqualTo(1);
    assertThat(scrape()).contains("chatroom_ai_requests_total{outcome=\"busy\"} 1.0");
  }

  @Test
  void theBreakerOpensAfterFailuresAnswersAtOnceAndRecovers() throws Exception {
    Http http = start("AI_BREAKER_FAILURES", "2", "AI_MAX_RETRIES", "0", "AI_BREAKER_COOLDOWN_SECONDS", "1");
    provider.then(new FakeOpenAi.Status(500, null), new FakeOpenAi.Status(503, null));
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice, "general");

    for (String q : List.of("@ai one", "@ai two")) {
      JsonNode failed = answerTo(a, "general", ask(a, "general", q)).message();
      assertThat(failed.path("type").asText()).isEqualTo("ai_error");
      assertThat(failed.path("code").asText()).isEqualTo("unavailable");
      assertThat(failed.path("message").asText()).contains("HTTP 5");
    }
    assertThat(scrape()).contains("chatroom_ai_breaker_state 1.0");

    JsonNode fast = answerTo(a, "general", ask(a, "general", "@ai three")).message();
    assertThat(fast.path("code").asText()).isEqualTo("unavailable");
    assertThat(fast.path("message").asText()).contains("unavailable right now");
    assertThat(provider.calls()).isEqualTo(2); // refused without asking

    TimeUnit.MILLISECONDS.sleep(1_100); // the cooldown: the next question is the probe
    JsonNode recovered = answerTo(a, "general", ask(a, "general", "@ai four")).message();
    assertThat(recovered.path("type").asText()).isEqualTo("message");
    assertThat(recovered.path("from").asText()).isEqualTo("ai");
    assertThat(provider.calls()).isEqualTo(3);
    assertThat(scrape()).contains("chatroom_ai_breaker_state 0.0")
        .contains("chatroom_ai_requests_total{outcome=\"unavailable\"} 1.0")
        .contains("chatroom_ai_requests_total{outcome=\"failed\"} 2.0");
  }

  @Test
  void withoutAKeyForARemoteProviderTheAskerIsToldHowToTurnItOn() {
    Http http = startWith(Map.of()); // the default base URL is GLM's, which needs AI_API_KEY
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice, "general");
    WsClient b = connect(bob, "general");

    long question = ask(a, "general", "@ai are you there?");
    JsonNode refusal = answerTo(a, "general", question).message();

    assertThat(refusal.path("type").asText()).isEqualTo("ai_error");
    assertThat(refusal.path("code").asText()).isEqualTo("not_configured");
    assertThat(refusal.path("message").asText()).contains("AI_API_KEY");
    ask(b, "general", "nothing for bob");
    assertThat(b.messages("general", 2)).extracting(m -> m.path("text").asText())
        .containsExactly("@ai are you there?", "nothing for bob");
    List<JsonNode> history = list(http.get("/api/rooms/general/messages", alice.token()).body().path("messages"));
    assertThat(history).extracting(m -> m.path("from").asText()).containsExactly("alice", "bob");
    assertThat(scrape()).contains("chatroom_ai_requests_total{outcome=\"not_configured\"} 1.0");
  }

  @Test
  void anAnswerThatBreaksOffIsStoredAsFarAsItGotAndMarkedInterrupted() {
    Http http = start();
    provider.then(FakeOpenAi.cutAfter("The answer", " is forty"));
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice, "general");

    long question = ask(a, "general", "@ai what is six times seven?");
    Seen seen = answerTo(a, "general", question);

    assertThat(seen.streamed()).isEqualTo("The answer is forty");
    JsonNode answer = seen.message();
    assertThat(answer.path("from").asText()).isEqualTo("ai");
    assertThat(answer.path("text").asText()).isEqualTo("The answer is forty\n\n[answer interrupted]");
    assertThat(answer.path("interrupted").asBoolean()).isTrue();
    JsonNode stored = list(http.get("/api/rooms/general/messages", alice.token()).body().path("messages")).get(1);
    assertThat(stored.path("interrupted").asBoolean()).isTrue();
    assertThat(stored.path("replyTo").asLong()).isEqualTo(question);
    // a broken answer is not cached: asked again, it goes to the provider again
    long again = ask(a, "general", "@ai what is six times seven?");
    assertThat(answerTo(a, "general", again).message().has("interrupted")).isFalse();
    assertThat(provider.calls()).isEqualTo(2);
    assertThat(scrape()).contains("chatroom_ai_requests_total{outcome=\"interrupted\"} 1.0");
  }

  @Test
  void aRefusalWithRetryAfterIsRetriedAfterTheWaitItAsks() {
    Http http = start();
    provider.then(new FakeOpenAi.Status(429, "1"));
    Http.Account alice = http.register("alice");
    WsClient a = connect(alice, "general");

    JsonNode answer = answerTo(a, "general", ask(a, "general", "@ai are you rate limited?")).message();

    assertThat(answer.path("type").asText()).isEqualTo("message");
    assertThat(answer.path("text").asText()).isEqualTo("Fine, thanks.");
    assertThat(provider.calls()).isEqualTo(2);
    long waitedMs = (provider.arrivals().get(1) - provider.arrivals().get(0)) / 1_000_000;
    assertThat(waitedMs).isGreaterThanOrEqualTo(950);
  }

  @Test
  void chatFlowsAtFullSpeedWhileTheProviderHangs() {
    Http http = start();
    provider.then(new FakeOpenAi.Stall());
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice, "general");
    WsClient b = connect(bob, "general");
    long question = ask(a, "general", "@ai this will take a while");
    Await.until(() -> provider.stalled() == 1);

    for (int i = 0; i < 100; i++) {
      ask(a, "general", "a" + i);
      ask(b, "general", "b" + i);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add("a" + i);
      expected.add("b" + i);
    }
    List<JsonNode> bobSaw = b.messages("general", 201);
    assertThat(bobSaw.subList(1, 201)).extracting(m -> m.path("text").asText()).containsExactlyElementsOf(expected);
    assertThat(a.messages("general", 201)).extracting(m -> m.path("seq").asLong()).doesNotHaveDuplicates().isSorted();

    // all of that happened while the question was still waiting on the provider
    assertThat(provider.stalled()).isEqualTo(1);
    assertThat(a.drain(Duration.ofMillis(200))).noneMatch(f -> f.path("replyTo").asLong() == question);
  }

  @Test
  void aDirectMessageToAiIsAQuestion() {
    Http http = start();
    Http.Account alice = http.register("alice");
    Http.Response dm = http.post("/api/dm", alice.token(), Map.of("username", "ai"));
    assertThat(dm.status()).isEqualTo(200);
    String room = dm.body().path("room").path("name").asText();
    assertThat(dm.body().path("room").path("peer").asText()).isEqualTo("ai");
    WsClient a = connect(alice, room);

    long question = ask(a, room, "how are you?");
    JsonNode answer = answerTo(a, room, question).message();

    assertThat(answer.path("from").asText()).isEqualTo("ai");
    assertThat(answer.path("text").asText()).isEqualTo("Fine, thanks.");
    List<JsonNode> turns = list(provider.requests().get(0).path("messages"));
    assertThat(turns.get(turns.size() - 1).path("content").asText()).isEqualTo("how are you?");
    // the answer itself asks nothing: one call, however long we wait
    assertThat(a.drain(Duration.ofMillis(500))).noneMatch(f -> f.path("from").asText().equals("ai"));
    assertThat(provider.calls()).isEqualTo(1);
  }

  @Test
  void adminsSeeTheMostAskedQuestions() {
    Http http = start("ADMIN_USERS", "alice");
    Http.Account alice = http.register("alice");
    Http.Account bob = http.register("bob");
    WsClient a = connect(alice, "r1", "r2", "r3");

    answerTo(a, "r1", ask(a, "r1", "@ai What is Vert.x?"));
    answerTo(a, "r2", ask(a, "r2", "@ai what is   vert.x"));
    answerTo(a, "r3", ask(a, "r3", "@ai something else"));

    Http.Response hot = http.get("/api/admin/ai/hot", alice.token());
    assertThat(hot.status()).isEqualTo(200);
    List<JsonNode> questions = list(hot.body().path("questions"));
    assertThat(questions).hasSize(2);
    assertThat(questions.get(0).path("question").asText()).isEqualTo("what is vert.x");
    assertThat(questions.get(0).path("count").asLong()).isEqualTo(2);
    assertThat(questions.get(1).path("question").asText()).isEqualTo("something else");
    assertThat(questions.get(1).path("count").asLong()).isEqualTo(1);
    assertThat(list(http.get("/api/admin/ai/hot?limit=1", alice.token()).body().path("questions"))).hasSize(1);

    Http.Response forbidden = http.get("/api/admin/ai/hot", bob.token());
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.body().path("error").path("code").asText()).isEqualTo("forbidden");
  }
}
