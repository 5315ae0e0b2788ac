package io.chatroom.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's chromium, driven by Playwright. Playwright never downloads a browser here: it is told not to,
 * and is pointed at /usr/bin/chromium. Without that binary the browser tests are skipped with a notice,
 * except under {@code CI=true}, where a missing browser fails the run (.ci/run installs it).
 */
final class Chromium {
  static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
  /** Headless, and quiet on the network: without the background-networking flags a closed network refuses it. */
  private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync");

  private Chromium() {}

  static boolean installed() {
    return Files.isExecutable(EXECUTABLE);
  }

  /** Skips the calling test (or fails it under CI=true) when chromium is not installed. */
  static void assumeInstalled() {
    if (installed()) {
      return;
    }
    String notice = "chromium not installed at " + EXECUTABLE + " (apt-get install --no-install-recommends chromium)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(notice + ": CI=true requires it (.ci/run installs it)");
    }
    System.err.println("NOTICE: skipping browser test: " + notice);
    assumeTrue(false, notice);
  }

  static Playwright playwright() {
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  static Browser launch(Playwright playwright) {
    return playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(EXECUTABLE)
        .setHeadless(true)
        .setArgs(ARGS));
  }
}
