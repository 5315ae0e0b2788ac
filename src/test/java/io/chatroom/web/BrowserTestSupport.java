package io.chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * One chromium for the test class; for each test a fresh node on a fresh SQLite store, and a separate
 * browser context (own cookies and localStorage) per user. Everything is closed after each test, even a
 * failed one; a test fails if any of its pages threw an uncaught error.
 */
abstract class BrowserTestSupport {
  static final double TIMEOUT_MS = 10_000;
  static final int DESKTOP_WIDTH = 1280;
  static final int DESKTOP_HEIGHT = 800;

  static Playwright playwright;
  static Browser browser;

  @TempDir
  Path dataDir;
  TestServer server;
  Http http;
  private final List<BrowserContext> contexts = new ArrayList<>();
  final List<ChatPage> pages = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeAll
  static void launchBrowser() {
    if (!Chromium.installed()) {
      return; // each test then skips (or fails under CI=true) in startServer, so the reports count them
    }
    PlaywrightAssertions.setDefaultAssertionTimeout(TIMEOUT_MS);
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
  }

  @AfterAll
  static void closeBrowser() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      browser = null;
      if (playwright != null) {
        playwright.close();
        playwright = null;
      }
    }
  }

  /** The node for one test; a subclass that needs a fixed port overrides this. */
  TestServer startNode(Path dataDir) {
    return TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), Map.of());
  }

  @BeforeEach
  void startServer() {
    Chromium.assumeInstalled();
    server = startNode(dataDir);
    http = server.http();
  }

  @AfterEach
  void closeEverything() {
    try {
      for (ChatPage p : pages) {
        assertThat(p.pageErrors).as("uncaught errors in %s's page", p.who).isEmpty();
      }
    } finally {
      contexts.forEach(c -> quietly(c::close));
      clients.forEach(c -> quietly(c::close));
      if (server != null) {
        server.close();
      }
    }
  }

  /** Closes one thing without letting its failure keep the others (and the node) open. */
  private static void quietly(Runnable close) {
    try {
      close.run();
    } catch (RuntimeException e) {
      System.err.println("closing after the test failed: " + e);
    }
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port() + "/";
  }

  /**
   * A new user's tab (own browser context) at {@code width}×{@code height}, showing the web client;
   * {@code initScripts} run in the page before its own scripts (test instrumentation).
   */
  ChatPage open(String who, int width, int height, String... initScripts) {
    BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
    contexts.add(context);
    context.setDefaultTimeout(TIMEOUT_MS);
    for (String script : initScripts) {
      context.addInitScript(script);
    }
    ChatPage page = new ChatPage(who, context.newPage());
    pages.add(page);
    page.page.navigate(baseUrl());
    return page;
  }

  ChatPage openDesktop(String who) {
    return open(who, DESKTOP_WIDTH, DESKTOP_HEIGHT);
  }

  /** Registers {@code username} over HTTP (password "password-" + username, as {@link Http#register}). */
  Http.Account register(String username) {
    return http.register(username);
  }

  static String passwordOf(String username) {
    return "password-" + username;
  }

  /** A protocol client for another user, closed after the test. */
  WsClient connect(Http.Account account) {
    WsClient c = WsClient.connect(server.port(), account.token());
    clients.add(c);
    return c;
  }

  /** Sends {@code text} from {@code client} to {@code room} and returns the acknowledged seq. */
  static long sendAcked(WsClient client, String room, String text, String clientMsgId) {
    var ack = client.send(room, text, clientMsgId);
    assertThat(ack.path("type").asText()).as("ack of %s: %s", clientMsgId, ack).isEqualTo("ok");
    return ack.path("seq").asLong();
  }
}
