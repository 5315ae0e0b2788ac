package io.chatroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A send the server refuses is marked failed and offers Retry, which re-sends the same message once. */
class WebRetryTest extends BrowserTestSupport {
  /** One frame every 3 s after a burst of 2: hello and join use the burst, so the first send is refused. */
  @Override
  TestServer startNode(Path dataDir) {
    return TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir),
        Map.of("CHATROOM_WS_RATE", "0.33", "CHATROOM_WS_BURST", "2"));
  }

  @Test
  void aRefusedSendOffersRetryAndTheRetryIsStoredOnce() {
    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    alice.send("slow down, me");
    Locator message = alice.message("slow down, me");
    assertThat(message).hasAttribute("data-state", "failed");
    Locator retry = message.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Retry").setExact(true));
    assertThat(retry).isVisible();

    alice.page.waitForTimeout(3_500); // let the rate limit refill one frame
    retry.click();
    assertThat(message).hasAttribute("data-state", "sent", new LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
    assertThat(alice.seqs()).containsExactly(1L);
  }
}
