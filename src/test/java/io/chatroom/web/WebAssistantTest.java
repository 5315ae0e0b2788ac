package io.chatroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import io.chatroom.ai.FakeOpenAi;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The assistant in the web client: an answer shows as it is written, then as one message from ai. */
class WebAssistantTest extends BrowserTestSupport {
  FakeOpenAi provider;

  @Override
  TestServer startNode(Path dataDir) {
    provider = FakeOpenAi.start();
    return TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir),
        Map.of("AI_BASE_URL", provider.baseUrl(), "AI_RATE_PER_MINUTE", "1"));
  }

  @AfterEach
  void stopProvider() {
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void anAnswerShowsWhileItIsWrittenAndIsThenReplacedByTheMessage() {
    provider.then(FakeOpenAi.slowAnswer(1_500, "Written ", "<b>as text</b>"));
    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    alice.send("@ai write something");
    alice.expectSent("@ai write something");
    Locator live = alice.articles().and(alice.page.locator("[data-state=answering]"));
    assertThat(live).hasCount(1);
    assertThat(live).containsText("Written");
    assertThat(live).containsText("writing…");

    Locator answer = alice.message("Written <b>as text</b>");
    assertThat(answer).hasCount(1);
    assertThat(answer).hasAttribute("data-state", "sent");
    assertThat(answer).containsText("ai");
    assertThat(live).hasCount(0);
    assertThat(alice.page.locator("article b")).hasCount(0); // the model's markup is text, never HTML

    // over the question budget, the refusal is shown to the asker
    alice.send("@ai and again");
    assertThat(alice.page.locator("#side-error")).containsText("1 question a minute");
  }
}
