package io.chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's protective headers, read over plain HTTP (no browser needed). */
class WebSecurityHeadersTest {
  @TempDir
  Path dataDir;
  TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void thePageForbidsInlineScriptAndSniffing() {
    Http.TextResponse page = server.http().getText("/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertThat(csp).as("Content-Security-Policy").contains("default-src 'self'");
    Map<String, String> directives = directives(csp);
    for (String name : new String[] {"default-src", "script-src", "script-src-elem", "script-src-attr"}) {
      assertThat(directives.getOrDefault(name, "")).as("CSP %s", name).doesNotContain("'unsafe-inline'");
    }
  }

  /** The policy's directives by (lower-case) name; the first of a repeated name counts, as in browsers. */
  private static Map<String, String> directives(String csp) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : csp.split(";")) {
      String d = part.trim();
      if (d.isEmpty()) {
        continue;
      }
      int space = d.indexOf(' ');
      String name = (space < 0 ? d : d.substring(0, space)).toLowerCase(Locale.ROOT);
      out.putIfAbsent(name, space < 0 ? "" : d.substring(space + 1).trim());
    }
    return out;
  }
}
