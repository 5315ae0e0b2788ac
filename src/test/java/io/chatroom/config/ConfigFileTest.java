package io.chatroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CHATROOM_CONFIG_FILE: read over the environment by every Config.load, so serve and the tools agree. */
class ConfigFileTest {
  @TempDir
  Path dir;

  @Test
  void theFileIsReadOverTheEnvironment() throws Exception {
    Path file = dir.resolve("chatroom.conf");
    Files.writeString(file, """
        # comments and blank lines are skipped

        LOG_LEVEL = debug
        export CHATROOM_WS_RATE='7'
        CHATROOM_API_RATE=
        """);
    Map<String, String> env = Map.of("CHATROOM_CONFIG_FILE", file.toString(), "CHATROOM_DATA_DIR", dir.resolve("data").toString(),
        "LOG_LEVEL", "WARN", "CHATROOM_API_RATE", "3", "CHATROOM_WS_BURST", "9");
    Config config = Config.load(Config.Flags.NONE, env);
    assertThat(config.logLevel()).as("the file wins").isEqualTo("DEBUG");
    assertThat(config.wsRatePerSecond()).isEqualTo(7);
    assertThat(config.wsBurst()).as("what the file does not name comes from the environment").isEqualTo(9);
    assertThat(config.apiRatePerSecond()).as("an empty value unsets: the default").isEqualTo(20);
  }

  @Test
  void withoutAFileTheEnvironmentIsUsedAsItIs() {
    Map<String, String> env = Map.of("LOG_LEVEL", "WARN");
    assertThat(ConfigFile.over(env)).isSameAs(env);
  }

  @Test
  void aBadFileNamesTheSettingAndTheLine() throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "LOG_LEVEL=INFO\nnot a setting\n");
    assertThatThrownBy(() -> ConfigFile.over(Map.of("CHATROOM_CONFIG_FILE", file.toString())))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("CHATROOM_CONFIG_FILE: ").hasMessageContaining("line 2");
    Files.writeString(file, "CHATROOM_CONFIG_FILE=/etc/other.conf\n");
    assertThatThrownBy(() -> ConfigFile.over(Map.of("CHATROOM_CONFIG_FILE", file.toString()))).hasMessageContaining("another file");
    assertThatThrownBy(() -> ConfigFile.over(Map.of("CHATROOM_CONFIG_FILE", dir.resolve("missing.conf").toString())))
        .hasMessageContaining("cannot read");
  }
}
