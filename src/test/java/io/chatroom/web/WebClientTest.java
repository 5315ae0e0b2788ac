package io.chatroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.TimeoutError;
import io.chatroom.testing.Http;
import io.chatroom.testing.WsClient;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The web client in a real chromium against a real node: the UI contract, end to end. */
class WebClientTest extends BrowserTestSupport {
  /** A slow uplink: every frame the page sends over a WebSocket leaves a second late. */
  static final String SLOW_UPLINK = """
      (() => {
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) { setTimeout(() => send.call(this, data), 1000); };
      })();
      """;

  @Test
  void twoUsersCreateAccountsAndChatBothWays() {
    ChatPage alice = openDesktop("alice");
    assertThat(alice.button("Sign in")).isVisible();
    assertThat(alice.button("Create account")).isVisible();
    alice.screenshot("sign-in-desktop");

    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    ChatPage bob = openDesktop("bob");
    bob.createAccount("bob", passwordOf("bob"));
    bob.expectSignedIn();
    bob.expectInRoom("general", "bob");

    alice.expectOnline("bob");
    bob.expectOnline("alice");

    // alice sends with Enter
    alice.send("hello bob");
    assertThat(alice.composer()).hasValue("");
    alice.expectSent("hello bob");
    assertThat(bob.message("hello bob")).hasCount(1);
    assertThat(bob.message("hello bob")).containsText("alice");

    // bob types (alice sees it) and sends with the button
    bob.composer().pressSequentially("hi alice");
    assertThat(alice.typing()).containsText("bob");
    bob.button("Send").click();
    bob.expectSent("hi alice");
    assertThat(alice.message("hi alice")).hasCount(1);
    assertThat(alice.message("hi alice")).containsText("bob");

    // Shift+Enter is a new line inside one message, Enter sends it
    alice.composer().fill("line one");
    alice.composer().press("Shift+Enter");
    alice.composer().pressSequentially("line two");
    assertThat(alice.composer()).hasValue("line one\nline two");
    alice.composer().press("Enter");
    Pattern twoLines = Pattern.compile("^\\s*line one\\s*line two\\s*$");
    assertThat(alice.messageMatching(twoLines)).hasCount(1);
    assertThat(alice.messageMatching(twoLines)).hasAttribute("data-state", "sent");
    assertThat(bob.messageMatching(twoLines)).hasCount(1);
    assertThat(bob.messageMatching(twoLines).locator(".text").innerText()).contains("\n");
    assertThat(alice.messageMatching(twoLines).locator("time")).hasCount(1);

    // by now any duplicate of an earlier message would have shown
    for (ChatPage p : List.of(alice, bob)) {
      assertThat(p.message("hello bob")).hasCount(1);
      assertThat(p.message("hi alice")).hasCount(1);
      assertThat(p.articles()).hasCount(3);
      assertThat(p.seqs()).containsExactly(1L, 2L, 3L);
    }
    alice.screenshot("room-desktop");
  }

  @Test
  void twoTabsOfOneBrowserCanBeTwoUsersAndEachKeepsItsUserOnReload() {
    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    // a second tab of the same browser starts as the last user signed in; signing out there frees it
    ChatPage bob = new ChatPage("bob", alice.page.context().newPage());
    pages.add(bob);
    bob.page.navigate(baseUrl());
    bob.expectSignedIn();
    bob.button("Sign out").click();
    assertThat(bob.username()).isVisible();
    bob.createAccount("bob", passwordOf("bob"));
    bob.expectSignedIn();
    bob.expectInRoom("general", "bob");

    bob.send("hi from the second tab");
    alice.expectSent("hi from the second tab");
    alice.page.reload();
    alice.expectSignedIn();
    assertThat(alice.page.locator("#me")).hasText("alice");
    bob.page.reload();
    assertThat(bob.page.locator("#me")).hasText("bob");
  }

  @Test
  void aSendIsPendingUntilTheServerAcknowledgesIt() {
    ChatPage alice = open("alice", DESKTOP_WIDTH, DESKTOP_HEIGHT, SLOW_UPLINK);
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    alice.send("on a slow line");
    Locator m = alice.message("on a slow line");
    assertThat(m).hasCount(1);
    assertThat(m).hasAttribute("data-state", "pending");
    assertThat(m).not().hasAttribute("data-seq", Pattern.compile(".*"));
    alice.expectSent("on a slow line");
    assertThat(alice.seqs()).containsExactly(1L);
  }

  @Test
  void olderHistoryLoadsWhenTheLogIsScrolledToTheTop() {
    Http.Account carol = register("carol");
    WsClient seeder = connect(carol);
    assertThat(seeder.join("archive").path("type").asText()).isEqualTo("ok");
    for (int i = 1; i <= 120; i++) {
      sendAcked(seeder, "archive", text(i), "seed-" + i);
    }
    register("alice");

    ChatPage alice = openDesktop("alice");
    alice.signIn("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectRoom("general");
    alice.joinRoom("archive");
    alice.expectRoom("archive");

    // joining shows the newest 50
    assertThat(alice.articles()).hasCount(50);
    assertThat(alice.message(text(120))).hasCount(1);
    assertThat(alice.seqs()).isEqualTo(range(71, 120));

    // each scroll to the top pages in older ones, until the first message
    int shown = 50;
    for (int attempt = 0; attempt < 6 && shown < 120; attempt++) {
      int before = shown;
      alice.scrollLogToTop();
      try {
        alice.page.waitForCondition(() -> alice.articles().count() > before,
            new Page.WaitForConditionOptions().setTimeout(TIMEOUT_MS));
      } catch (TimeoutError e) {
        throw new AssertionError("no older messages appeared within " + TIMEOUT_MS + " ms of scrolling the log to the top"
            + " (" + before + " shown, seqs " + alice.seqs().get(0) + ".." + alice.seqs().get(before - 1) + ")", e);
      }
      shown = alice.articles().count();
    }
    assertThat(alice.articles()).hasCount(120);
    assertThat(alice.message(text(1))).hasCount(1);
    assertThat(alice.seqs()).as("every message once, ascending").isEqualTo(range(1, 120));
  }

  @Test
  void aReloadKeepsTheSessionAndShowsTheHistory() {
    Http.Account bob = register("bob");
    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");
    alice.send("before the reload");
    alice.expectSent("before the reload");
    WsClient b = connect(bob);
    b.join("general");
    sendAcked(b, "general", "bob was here", "b-1");
    assertThat(alice.message("bob was here")).hasCount(1);

    alice.page.reload();
    alice.expectSignedIn();
    alice.expectRoom("general");
    alice.expectSent("before the reload");
    assertThat(alice.message("bob was here")).hasCount(1);
    assertThat(alice.articles()).hasCount(2);
    assertThat(alice.seqs()).containsExactly(1L, 2L);

    // signing out forgets the session, also across a reload
    alice.button("Sign out").click();
    assertThat(alice.button("Sign in")).isVisible();
    alice.page.reload();
    assertThat(alice.button("Sign in")).isVisible();
    assertThat(alice.button("Sign out")).isHidden();
  }

  @Test
  void signInProblemsShowInAnAlert() {
    register("alice");
    ChatPage page = openDesktop("visitor");
    page.signIn("alice", "not-the-password");
    assertThat(page.alert()).isVisible();
    assertThat(page.alert()).hasText(Pattern.compile("\\S"));
    assertThat(page.button("Sign out")).isHidden();

    page.page.reload();
    page.createAccount("ALICE", "another-password");
    assertThat(page.alert()).isVisible();
    assertThat(page.alert()).hasText(Pattern.compile("\\S"));
    assertThat(page.button("Sign out")).isHidden();

    page.signIn("alice", passwordOf("alice"));
    page.expectSignedIn();
  }

  @Test
  void userTextIsShownAsTextNeverAsHtml() {
    String img = "<img src=x onerror=alert(1)>";
    String script = "<script>alert(2)</script><b>bold?</b>";
    Http.Account bob = register("bob");
    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    WsClient b = connect(bob);
    b.join("general");
    sendAcked(b, "general", img, "x-1");
    alice.send(script);

    for (int round = 0; round < 2; round++) {
      assertThat(alice.message(img)).hasCount(1);
      assertThat(alice.message(img).locator(".text")).hasText(img);
      alice.expectSent(script);
      assertThat(alice.message(script).locator(".text")).hasText(script);
      assertThat(alice.log().locator("img, script, b")).hasCount(0);
      // an image that did render would fail to load and fire onerror within moments
      alice.page.waitForTimeout(300);
      assertThat(alice.dialogs).isEmpty();
      // the same again when the messages come from history rather than live
      alice.page.reload();
      alice.expectRoom("general");
    }
  }

  @Test
  void phoneSizedScreensDoNotScrollSideways() {
    Http.Account bob = register("bob");
    ChatPage alice = open("alice", 390, 844);
    assertThat(alice.button("Sign in")).isVisible();
    assertThat(alice.horizontalOverflow()).as("sign-in screen overflow (px)").isLessThanOrEqualTo(0);
    alice.screenshot("sign-in-phone");

    alice.createAccount("alice", passwordOf("alice"));
    assertThat(alice.log()).isVisible();
    assertThat(alice.composer()).isVisible();
    WsClient b = connect(bob);
    b.join("general");
    sendAcked(b, "general", "Morning! Are we still on for the review at ten?", "p-1");
    String link = "The build log is at http://127.0.0.1/ci/builds/chatroom/main/" + "x".repeat(80) + "/console-output.txt";
    sendAcked(b, "general", link, "p-2");
    // (the Online list is not shown on a phone; bob's messages arriving say the page has joined)
    assertThat(alice.message(link)).hasCount(1);
    alice.send("Yes, see you there. I will bring the notes.");
    alice.expectSent("Yes, see you there. I will bring the notes.");
    assertThat(alice.articles()).hasCount(3);

    assertThat(alice.horizontalOverflow()).as("room view overflow (px)").isLessThanOrEqualTo(0);
    alice.screenshot("room-phone");
  }

  @Test
  void roomsAreCreatedJoinedCountedAndDirect() {
    Http.Account bob = register("bob");
    WsClient b = connect(bob);
    b.join("lobby");
    sendAcked(b, "lobby", "welcome to the lobby", "l-1");
    b.join("general");

    ChatPage alice = openDesktop("alice");
    alice.createAccount("alice", passwordOf("alice"));
    alice.expectSignedIn();
    alice.expectInRoom("general", "alice");

    // a private room: created, opened, and not listed for others
    alice.page.getByLabel("New room name", new Page.GetByLabelOptions().setExact(true)).fill("book-club");
    alice.page.getByLabel("Private", new Page.GetByLabelOptions().setExact(true)).check();
    alice.button("Create room").click();
    alice.expectInRoom("book-club", "alice");
    alice.send("first page");
    alice.expectSent("first page");
    Http.Response bobsRooms = http.get("/api/rooms", bob.token());
    assertThat(bobsRooms.body().path("rooms").findValuesAsText("name")).contains("general", "lobby").doesNotContain("book-club");

    // a public room joined by name shows its history
    alice.joinRoom("lobby");
    alice.expectRoom("lobby");
    assertThat(alice.message("welcome to the lobby")).hasCount(1);
    assertThat(alice.roomButton("general")).not().hasAttribute("aria-current", "true");

    // messages in a room not open are counted on its button, and opening it clears the count
    for (int i = 1; i <= 3; i++) {
      sendAcked(b, "general", "meanwhile " + i, "g-" + i);
    }
    assertThat(alice.roomButton("general")).hasAccessibleName(Pattern.compile("^general\\b.*\\b3 unread"));
    alice.roomButton("general").click();
    alice.expectRoom("general");
    assertThat(alice.message("meanwhile 3")).hasCount(1);
    assertThat(alice.roomButton("general")).hasAccessibleName("general");

    // a direct message opens the pair's private room, which bob reads too
    alice.page.getByLabel("Direct message to", new Page.GetByLabelOptions().setExact(true)).fill("bob");
    alice.button("Start direct message").click();
    Http.Response dm = http.post("/api/dm", bob.token(), Map.of("username", "alice"));
    String dmRoom = dm.body().path("room").path("name").asText();
    // the UI names a direct-message room after the other user ("@bob"), not by its room name (dm-1-2)
    assertThat(alice.rooms().locator("button[aria-current=true]")).hasAccessibleName(Pattern.compile("bob"));
    assertThat(alice.articles()).hasCount(0);
    alice.expectOnline("alice");
    alice.send("psst");
    alice.expectSent("psst");
    b.join(dmRoom);
    assertThat(b.request("history", "room", dmRoom).path("messages").findValuesAsText("text")).containsExactly("psst");
  }

  private static String text(int i) {
    return String.format("archive message %03d", i);
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }
}
