package io.chatroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The page survives the server going away: it says so, reconnects by itself to the same address (the node
 * comes back on the port it had), resumes the room with {@code since}, and shows what it missed exactly
 * once and in order.
 */
class WebReconnectTest extends BrowserTestSupport {
  /**
   * Records, in the page's own clock, when each WebSocket is created and when it closes. Times taken on the
   * Java side would be late: Playwright only delivers events while the test calls into it.
   */
  private static final String RECORD_SOCKETS = """
      (() => {
        const Native = window.WebSocket;
        const sockets = window.__testSockets = [];
        window.WebSocket = class extends Native {
          constructor(url, protocols) {
            super(url, protocols);
            const entry = { created: performance.now(), closed: null };
            sockets.push(entry);
            this.addEventListener('close', () => { entry.closed = performance.now(); });
          }
        };
      })();
      """;
  /** "First retry within about 1 s". */
  private static final double FIRST_RETRY_MS = 1_500;
  /** "Capped at a few seconds": read as a cap of at most 4 s, plus up to 25 % jitter and some timer slack. */
  private static final double MAX_RETRY_GAP_MS = 5_500;
  /** Long enough for a backoff to reach its cap and show it, short enough to keep the test bounded. */
  private static final double LONG_OUTAGE_MS = 12_000;
  /**
   * How long the node stays down in the restart test: long enough that a page backing off from its first
   * retries is unlikely to be back before bob has posted, so it usually has to catch up with since.
   */
  private static final double RESTART_OUTAGE_MS = 1_500;

  @Override
  TestServer startNode(Path dataDir) {
    return TestServer.startOnPort(TestServer.freePort(), dataDir,
        TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), Map.of());
  }

  @Test
  void thePageReconnectsAfterARestartAndMissesNothing() {
    Http.Account bob = register("bob");
    ChatPage alice = open("alice", DESKTOP_WIDTH, DESKTOP_HEIGHT, RECORD_SOCKETS);
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");
    alice.send("before the restart");
    alice.expectSent("before the restart");
    assertThat(alice.banner()).isHidden();

    int port = server.port();
    long t0 = System.nanoTime();
    server.stop();
    log("stopped after %d ms", t0);
    assertThat(alice.banner()).isVisible();
    assertThat(alice.banner()).hasText(ChatPage.RECONNECTING);
    log("banner shown after %d ms", t0);
    assertThat(alice.button("Sign in")).isHidden();
    alice.page.waitForTimeout(RESTART_OUTAGE_MS);
    assertThat(alice.banner()).hasText(ChatPage.RECONNECTING);

    server.startAgain();
    log("listening again after %d ms", t0);
    assertThat(server.port()).isEqualTo(port);
    // bob posts right away: before or while the page reconnects, so the page must catch up with since
    WsClient b = connect(bob);
    b.join("general");
    List<Long> missed = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      missed.add(sendAcked(b, "general", "while you were away " + i, "away-" + i));
    }
    log("bob's 3 messages acknowledged after %d ms", t0);
    double posted = ((Number) alice.page.evaluate("() => performance.now()")).doubleValue();
    assertThat(missed).containsExactly(2L, 3L, 4L);

    for (int i = 1; i <= 3; i++) {
      assertThat(alice.message("while you were away " + i)).hasCount(1);
    }
    assertThat(alice.banner()).isHidden();
    log("page caught up after %d ms", t0);
    List<Map<String, Object>> sockets = sockets(alice);
    double reconnected = number(sockets.get(sockets.size() - 1).get("created"));
    System.err.println("TIMELINE: the page reconnected " + (reconnected > posted
        ? "after bob's messages: they came with the join's since replay"
        : "before bob's messages were all acknowledged: some came live"));
    assertThat(alice.message("before the restart")).hasCount(1);
    assertThat(alice.seqs()).containsExactly(1L, 2L, 3L, 4L);

    // and the page sends again
    alice.send("back again");
    alice.expectSent("back again");
    JsonNode atBob;
    do {
      atBob = b.next("message");
    } while (!Objects.equals(atBob.path("text").asText(), "back again"));
    assertThat(atBob.path("from").asText()).isEqualTo("alice");
    assertThat(atBob.path("seq").asLong()).isEqualTo(5);
    assertThat(alice.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void reconnectAttemptsStartWithinASecondAndBackOffToAFewSeconds() {
    ChatPage alice = open("alice", DESKTOP_WIDTH, DESKTOP_HEIGHT, RECORD_SOCKETS);
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    server.stop();
    assertThat(alice.banner()).isVisible();
    alice.page.waitForTimeout(LONG_OUTAGE_MS);
    server.startAgain();
    double up = ((Number) alice.page.evaluate("() => performance.now()")).doubleValue();
    assertThat(alice.banner()).isHidden(new LocatorAssertions.IsHiddenOptions().setTimeout(MAX_RETRY_GAP_MS + TIMEOUT_MS));
    alice.send("still here");
    alice.expectSent("still here");

    List<Map<String, Object>> sockets = sockets(alice);
    System.err.printf("sockets (page clock, ms; server back at %.0f): %s%n", up, sockets);
    assertThat(sockets).as("the first socket and at least one retry").hasSizeGreaterThanOrEqualTo(2);
    double dropped = number(sockets.get(0).get("closed"));
    List<Double> attempts = new ArrayList<>();
    for (Map<String, Object> s : sockets.subList(1, sockets.size())) {
      attempts.add(number(s.get("created")));
    }
    assertThat(attempts.get(0) - dropped).as("first retry after the drop (ms)").isLessThanOrEqualTo(FIRST_RETRY_MS);
    List<Double> gaps = new ArrayList<>();
    for (int i = 1; i < attempts.size(); i++) {
      gaps.add(attempts.get(i) - attempts.get(i - 1));
    }
    assertThat(gaps).as("gaps between reconnect attempts (ms) over a %.0f s outage, server back at +%.0f ms",
            LONG_OUTAGE_MS / 1000, up - dropped)
        .allSatisfy(gap -> assertThat(gap).isLessThanOrEqualTo(MAX_RETRY_GAP_MS));
    assertThat(attempts.get(attempts.size() - 1) - up).as("reconnected after the server was back (ms)")
        .isLessThanOrEqualTo(MAX_RETRY_GAP_MS);
  }

  @Test
  void aMessageWrittenOfflineWaitsAndIsSentOnceBackOnline() {
    Http.Account bob = register("bob");
    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    server.stop();
    assertThat(alice.banner()).isVisible();
    alice.send("written offline");
    Locator waiting = alice.message("written offline");
    assertThat(waiting).hasCount(1);
    assertThat(waiting).hasAttribute("data-state", "pending");
    assertThat(waiting.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Retry"))).hasCount(0);

    server.startAgain();
    assertThat(alice.banner()).isHidden(new LocatorAssertions.IsHiddenOptions().setTimeout(MAX_RETRY_GAP_MS + TIMEOUT_MS));
    alice.expectSent("written offline");
    assertThat(alice.seqs()).containsExactly(1L);

    WsClient b = connect(bob);
    b.join("general");
    assertThat(b.request("history", "room", "general").path("messages").findValuesAsText("text"))
        .containsExactly("written offline");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> sockets(ChatPage page) {
    return (List<Map<String, Object>>) page.page.evaluate("() => window.__testSockets");
  }

  private static double number(Object o) {
    return ((Number) Objects.requireNonNull(o, "no time recorded")).doubleValue();
  }

  private static void log(String format, long since) {
    System.err.println("TIMELINE: " + String.format(format, (System.nanoTime() - since) / 1_000_000));
  }
}
