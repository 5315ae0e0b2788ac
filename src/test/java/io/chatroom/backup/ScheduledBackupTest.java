package io.chatroom.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import io.chatroom.testing.Await;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server backs itself up every BACKUP_INTERVAL, and says so in its metrics. */
class ScheduledBackupTest {
  @TempDir
  Path dir;

  @Test
  void theServerBacksUpOnScheduleAndCountsIt() throws Exception {
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.SQLITE, dir);
    long before = System.currentTimeMillis() / 1000;
    try (TestServer server = TestServer.start(dir, db, Map.of("BACKUP_INTERVAL", "1s", "BACKUP_DIR", "nightly"))) {
      assertThat(metric(server, "chatroom_backups_total\\{outcome=\"success\"}")).isZero();
      assertThat(metric(server, "chatroom_backup_last_success_timestamp_seconds")).isZero();
      Await.until(() -> metric(server, "chatroom_backups_total\\{outcome=\"success\"}") >= 2);
      assertThat(metric(server, "chatroom_backup_last_success_timestamp_seconds")).isGreaterThanOrEqualTo(before);
      assertThat(metric(server, "chatroom_backups_total\\{outcome=\"failure\"}")).isZero();
    }
    try (Stream<Path> files = Files.list(dir.resolve("nightly"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sqlite.gz.sha256")).count()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void withoutAnIntervalTheServerTakesNoBackupsAndHasNoBackupMeters() {
    TestDatabases.Isolated db = TestDatabases.create(TestDatabases.Kind.SQLITE, dir);
    try (TestServer server = TestServer.start(dir, db)) {
      assertThat(server.node().metrics().scrape()).doesNotContain("chatroom_backup");
    }
    assertThat(dir.resolve("backups")).doesNotExist();
  }

  @Test
  void aBadIntervalIsOneLineNamingTheSettingAndTheFix() {
    for (String bad : new String[] {"6 hours", "6", "0h", "-1h", "1.5h", "soon"}) {
      assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("BACKUP_INTERVAL", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessage("BACKUP_INTERVAL: '" + bad + "' is not an interval; use a whole number and a unit (s, m, h or d),"
              + " e.g. 6h or 30m, or unset it to turn scheduled backups off");
    }
    assertThatThrownBy(() -> Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("BACKUP_KEEP_DAYS", "0")))
        .isInstanceOf(ConfigException.class).hasMessage("BACKUP_KEEP_DAYS: '0' is not a number of days; use a whole number from 1, e.g. 7");
  }

  @Test
  void intervalsReadAsAnOperatorWritesThem() {
    assertThat(interval("6h")).isEqualTo(Duration.ofHours(6));
    assertThat(interval("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(interval("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(interval("1d")).isEqualTo(Duration.ofDays(1));
    Config defaults = Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of());
    assertThat(defaults.backups().interval()).isNull();
    assertThat(defaults.backups().dir()).isEqualTo(dir.toAbsolutePath().normalize().resolve("backups"));
    assertThat(defaults.backups().keepDays()).isEqualTo(7);
  }

  private Duration interval(String value) {
    return Config.load(new Config.Flags(null, null, dir.toString(), null), Map.of("BACKUP_INTERVAL", value)).backups().interval();
  }

  private static double metric(TestServer server, String nameAndLabels) {
    Matcher m = Pattern.compile("(?m)^" + nameAndLabels + " (\\S+)$").matcher(server.node().metrics().scrape());
    if (!m.find()) {
      throw new AssertionError(nameAndLabels + " is not in the metrics");
    }
    return Double.parseDouble(m.group(1));
  }
}
