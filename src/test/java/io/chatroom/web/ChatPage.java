package io.chatroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One user's tab of the web client, found only through the UI contract: accessible names and roles, plus
 * the few attributes and classes the contract names (data-seq, data-state, .text, .typing,
 * .connection-banner). Uncaught page errors are collected so a test can insist there were none.
 */
final class ChatPage {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final String RECONNECTING = "Reconnecting\u2026";

  final String who;
  final Page page;
  final List<String> pageErrors = Collections.synchronizedList(new ArrayList<>());
  final List<String> dialogs = Collections.synchronizedList(new ArrayList<>());

  ChatPage(String who, Page page) {
    this.who = who;
    this.page = page;
    page.onPageError(error -> {
      pageErrors.add(error);
      System.err.println("BROWSER[" + who + "] page error: " + error);
    });
    page.onConsoleMessage(m -> {
      if (m.type().equals("error") || m.type().equals("warning")) {
        System.err.println("BROWSER[" + who + "] console." + m.type() + ": " + m.text());
      }
    });
    page.onDialog(d -> {
      dialogs.add(d.type() + ": " + d.message());
      System.err.println("BROWSER[" + who + "] dialog " + d.type() + ": " + d.message());
      d.dismiss();
    });
  }

  // --- sign-in screen ---

  Locator username() {
    return page.getByLabel("Username", new Page.GetByLabelOptions().setExact(true));
  }

  Locator password() {
    return page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true));
  }

  Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  Locator alert() {
    return page.getByRole(AriaRole.ALERT);
  }

  /** Fills the sign-in form and presses "Create account"; returns at once (the caller asserts the outcome). */
  void createAccount(String user, String pass) {
    username().fill(user);
    password().fill(pass);
    button("Create account").click();
  }

  void signIn(String user, String pass) {
    username().fill(user);
    password().fill(pass);
    button("Sign in").click();
  }

  /** Asserts the signed-in view: a "Sign out" button and no sign-in form in sight. */
  void expectSignedIn() {
    assertThat(button("Sign out")).isVisible();
    assertThat(username()).isHidden();
    assertThat(password()).isHidden();
  }

  // --- rooms ---

  Locator rooms() {
    return page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Rooms").setExact(true));
  }

  /** The sidebar button of {@code room}: its accessible name starts with the room name ("general, 3 unread"). */
  Locator roomButton(String room) {
    return rooms().getByRole(AriaRole.BUTTON,
        new Locator.GetByRoleOptions().setName(Pattern.compile("^" + escape(room) + "(?![a-z0-9_-])")));
  }

  Locator heading(String room) {
    return page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(2).setName(room).setExact(true));
  }

  /** Asserts that {@code room} is open: its h2 shows and its sidebar button is the current one. */
  void expectRoom(String room) {
    assertThat(heading(room)).isVisible();
    assertThat(roomButton(room)).hasAttribute("aria-current", "true");
  }

  /**
   * Asserts that {@code user} is listed as online in the open room. For the user's own name this means the
   * page has joined the room: tests wait for it before sending, because a send made before the page's first
   * join completes fails as "offline" (see the report on the UI) instead of waiting for the connection.
   */
  void expectOnline(String user) {
    assertThat(online().getByText(user, new Locator.GetByTextOptions().setExact(true))).hasCount(1);
  }

  /** {@link #expectRoom} plus: the page has joined it as {@code me}, so sending works. */
  void expectInRoom(String room, String me) {
    expectRoom(room);
    expectOnline(me);
  }

  void joinRoom(String room) {
    page.getByLabel("Join room", new Page.GetByLabelOptions().setExact(true)).fill(room);
    button("Join").click();
  }

  // --- messages ---

  Locator log() {
    return page.getByRole(AriaRole.LOG, new Page.GetByRoleOptions().setName("Messages").setExact(true));
  }

  Locator articles() {
    return log().locator("article");
  }

  /** The message articles whose text is exactly {@code text} (surrounding white space aside). */
  Locator message(String text) {
    return messageMatching(Pattern.compile("^\\s*" + escape(text) + "\\s*$"));
  }

  Locator messageMatching(Pattern text) {
    return articles().filter(new Locator.FilterOptions()
        .setHas(page.locator(".text", new Page.LocatorOptions().setHasText(text))));
  }

  Locator composer() {
    return page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Message").setExact(true));
  }

  /** Types {@code text} into the composer and presses Enter. */
  void send(String text) {
    composer().fill(text);
    composer().press("Enter");
  }

  /** Asserts that exactly one article shows {@code text}, acknowledged: data-state="sent" with a data-seq. */
  void expectSent(String text) {
    Locator m = message(text);
    assertThat(m).hasCount(1);
    try {
      assertThat(m).hasAttribute("data-state", "sent");
      assertThat(m).hasAttribute("data-seq", Pattern.compile("^[1-9][0-9]*$"));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nthe article: " + m.evaluate("a => a.outerHTML")
          + "\nthe connection banner: " + (banner().isVisible() ? banner().textContent() : "hidden"), e);
    }
  }

  /** data-seq of every article in the log, top to bottom (null for one without it). */
  List<Long> seqs() {
    Object raw = log().evaluate("el => Array.from(el.querySelectorAll('article')).map(a => a.getAttribute('data-seq'))");
    List<Long> out = new ArrayList<>();
    for (Object o : (List<?>) raw) {
      out.add(o == null ? null : Long.valueOf(o.toString()));
    }
    return out;
  }

  /** Scrolls the message log to its top, as a reader looking for older messages would. */
  void scrollLogToTop() {
    log().evaluate("el => { el.scrollTop = 0; }");
  }

  // --- presence, typing, connection ---

  Locator online() {
    return page.getByRole(AriaRole.COMPLEMENTARY, new Page.GetByRoleOptions().setName("Online").setExact(true));
  }

  Locator typing() {
    return page.locator(".typing");
  }

  Locator banner() {
    return page.locator("[role=status].connection-banner");
  }

  // --- layout ---

  /** How far the page scrolls sideways: scrollWidth - clientWidth of the scrolling element (0 or less: none). */
  int horizontalOverflow() {
    Object r = page.evaluate("() => { const s = document.scrollingElement; return s.scrollWidth - s.clientWidth; }");
    return ((Number) r).intValue();
  }

  /** Saves a full-page screenshot as target/screenshots/{@code name}.png. */
  Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = SCREENSHOTS.resolve(name + ".png");
    page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
    return file;
  }

  /** {@code s} as a regular expression matching it literally, valid both in Java and JavaScript. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if ("\\^$.*+?()[]{}|/".indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
