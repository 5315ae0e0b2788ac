package io.chatroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPrecedenceTest {
  @TempDir
  Path dir;

  @Test
  void flagsBeatEnvironmentWhichBeatsDefaults() {
    Map<String, String> env = Map.of("CHATROOM_PORT", "9000", "CHATROOM_HOST", "127.0.0.2", "CHATROOM_DATA_DIR", dir.toString());
    Config fromEnv = Config.load(Config.Flags.NONE, env);
    assertThat(fromEnv.port()).isEqualTo(9000);
    assertThat(fromEnv.host()).isEqualTo("127.0.0.2");
    Config fromFlags = Config.load(new Config.Flags(null, "9100", null, null), env);
    assertThat(fromFlags.port()).isEqualTo(9100);
    assertThat(fromFlags.host()).isEqualTo("127.0.0.2");
    Config defaults = Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of());
    assertThat(defaults.port()).isEqualTo(8888);
    assertThat(defaults.host()).isEqualTo("0.0.0.0");
    assertThat(defaults.wsRatePerSecond()).isEqualTo(20);
    assertThat(defaults.wsBurst()).isEqualTo(40);
  }

  @Test
  void badValuesNameTheirSetting() throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-dir"));
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, "70000", dir.toString(), null), Map.of()))
        .hasMessageStartingWith("CHATROOM_PORT (--port): '70000' is not a port number");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, file.resolve("sub").toString(), null), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("CHATROOM_DATA_DIR (--data-dir): cannot write to");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("JWT_SECRET", "short")))
        .hasMessageStartingWith("JWT_SECRET: is only 5 characters long");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("LOG_LEVEL", "LOUD")))
        .hasMessageStartingWith("LOG_LEVEL: 'LOUD' is not a log level");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("CHATROOM_WS_RATE", "-3")))
        .hasMessageStartingWith("CHATROOM_WS_RATE: '-3' is not a positive number");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("DATABASE_READ_URL", "sqlite:/tmp/x.db")))
        .hasMessageStartingWith("DATABASE_READ_URL: is not a PostgreSQL URL");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("CHATROOM_ALLOWED_ORIGINS", "chat.example.com")))
        .hasMessage("CHATROOM_ALLOWED_ORIGINS: 'chat.example.com' is not an origin; "
            + "list origins as scheme://host[:port] separated by commas, e.g. https://chat.example.com");
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("CHATROOM_PRESENCE_GRACE_SECONDS", "-1")))
        .hasMessage("CHATROOM_PRESENCE_GRACE_SECONDS: '-1' is not a number of seconds; use 0 or more, e.g. 10");
  }

  @Test
  void presenceGraceIsTenSecondsUnlessSetAndZeroTurnsItOff() {
    Config.Flags flags = new Config.Flags(null, null, dir.toString(), null);
    assertThat(Config.load(flags, Map.of()).presenceGraceMs()).isEqualTo(10_000);
    assertThat(Config.load(flags, Map.of("CHATROOM_PRESENCE_GRACE_SECONDS", "2.5")).presenceGraceMs()).isEqualTo(2_500);
    assertThat(Config.load(flags, Map.of("CHATROOM_PRESENCE_GRACE_SECONDS", "0")).presenceGraceMs()).isZero();
  }
}
