package io.chatroom.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What {@code chatroom serve} sets up: the level, the format and the rotated files under LOG_DIR. */
class LoggingConfigurationTest {
  @TempDir
  Path logDir;

  @AfterEach
  void backToTheTestDefaults() {
    Logging.configure(new Logging.Settings(Logging.Format.TEXT, "INFO", null, 14));
  }

  @Test
  void jsonLinesGoToTheLogFileAtTheConfiguredLevel() throws Exception {
    Logging.configure(new Logging.Settings(Logging.Format.JSON, "WARN", logDir, 3));
    org.slf4j.Logger log = LoggerFactory.getLogger("io.chatroom.file-test");
    log.info("below the level");
    log.warn("disk {} is filling", "sda1");
    Path file = logDir.resolve("chatroom.log");
    assertThat(file).exists();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    var line = new ObjectMapper().readTree(lines.get(0));
    assertThat(line.path("message").asText()).isEqualTo("disk sda1 is filling");
    assertThat(line.path("level").asText()).isEqualTo("WARN");
    assertThat(line.path("logger").asText()).isEqualTo("io.chatroom.file-test");
    assertThat(line.has("@version")).isFalse();
  }
}
