package io.chatroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.config.DatabaseUrl;
import io.chatroom.store.Database;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code chatroom doctor}: each check's verdict, and the fix printed for every problem. */
class DoctorCommandTest {
  @TempDir
  Path dir;

  record Run(int code, String out) {
    /** The verdict line of {@code check}. */
    String line(String check) {
      return out.lines().filter(l -> l.matches("(OK|WARN|FAIL)\\s+" + check + "\\s.*")).findFirst()
          .orElseThrow(() -> new AssertionError("no '" + check + "' line in:\n" + out));
    }

    /** The fix printed under {@code check}'s line. */
    String fix(String check) {
      List<String> lines = out.lines().toList();
      String next = lines.get(lines.indexOf(line(check)) + 1).strip();
      assertThat(next).as("a fix under " + check).startsWith("fix: ");
      return next;
    }
  }

  /** Runs doctor with only {@code env} as its environment (nothing of this JVM's) and {@code limits} as /proc/self/limits. */
  private Run doctor(Map<String, String> env, Path limits, String... args) {
    DoctorCommand command = new DoctorCommand();
    command.env = env;
    if (limits != null) {
      command.limits = limits;
    }
    StringWriter out = new StringWriter();
    int code = new CommandLine(command).setOut(new PrintWriter(out, true)).execute(args);
    return new Run(code, out.toString());
  }

  private String[] withStore(Path dataDir, String... args) {
    return Stream.concat(Stream.of("--data-dir", dataDir.toString()), Stream.of(args)).toArray(String[]::new);
  }

  private Path limits(long soft, long hard) throws IOException {
    Path file = dir.resolve("limits-" + soft);
    Files.writeString(file, """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            %d                %d                files
        Max locked memory         8388608              8388608              bytes
        """.formatted(soft, hard));
    return file;
  }

  private void migrated(Path dataDir) {
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, DatabaseUrl.sqlite(dataDir.resolve("chatroom.db")), null)) {
      assertThat(db.schemaVersion()).isNotNull();
    } finally {
      vertx.close();
    }
  }

  @Test
  void aHealthyInstallationPassesEveryCheck() throws IOException {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    migrated(data);
    Run run = doctor(Map.of(), limits(1_048_576, 1_048_576), withStore(data, "--port", String.valueOf(TestServer.freePort()),
        "--host", "127.0.0.1"));
    assertThat(run.code()).as(run.out()).isEqualTo(0);
    for (String check : List.of("configuration", "database", "redis", "port", "open files")) {
      assertThat(run.line(check)).as(run.out()).startsWith("OK");
    }
    // this machine's own disk may be fuller than a healthy server's should be: only that is left open
    assertThat(run.line("disk")).as(run.out()).doesNotStartWith("FAIL");
    assertThat(run.line("database")).contains("this jar's latest");
  }

  @Test
  void aStoppedDatabaseFailsWithTheFix() throws IOException {
    int closed = TestServer.freePort();
    Run run = doctor(Map.of("DATABASE_URL", "postgresql://chat:secret@127.0.0.1:" + closed + "/chat"), limits(65_536, 65_536),
        withStore(dir.resolve("data"), "--port", "0"));
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.line("database")).startsWith("FAIL").contains("cannot connect to postgresql://chat@127.0.0.1:" + closed + "/chat")
        .doesNotContain("secret");
    assertThat(run.fix("database")).contains("start the database").contains("DATABASE_URL");
    assertThat(run.out()).contains("1 check(s) failed");
  }

  @Test
  void aFullDiskFailsWithTheFix() throws IOException {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    migrated(data);
    // more than any disk has: the data dir's disk counts as full
    Run run = doctor(Map.of(), limits(65_536, 65_536), withStore(data, "--port", "0", "--min-free-bytes", "1000000000000000000"));
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.line("disk")).startsWith("FAIL").contains("under the required");
    assertThat(run.fix("disk")).contains("free space on").contains("grow the volume");
  }

  @Test
  void aBadSettingFailsNamingIt() throws IOException {
    Run run = doctor(Map.of("CHATROOM_WS_RATE", "fast"), limits(65_536, 65_536), withStore(dir.resolve("data")));
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.line("configuration")).startsWith("FAIL").contains("CHATROOM_WS_RATE: 'fast' is not a positive number");
    assertThat(run.fix("configuration")).contains("change the setting named above");
    assertThat(doctor(Map.of(), null, withStore(dir.resolve("data"), "--port", "eighty")).line("configuration"))
        .contains("CHATROOM_PORT (--port)");
  }

  @Test
  void pendingMigrationsAndAMissingDatabaseAreWarningsThatNameMigrate() throws Exception {
    Run fresh = doctor(Map.of(), limits(65_536, 65_536), withStore(dir.resolve("empty"), "--port", "0"));
    assertThat(fresh.code()).as("nothing failed").isEqualTo(0);
    assertThat(fresh.line("database")).startsWith("WARN").contains("no database yet");
    assertThat(fresh.fix("database")).contains("chatroom migrate");
    assertThat(Files.exists(dir.resolve("empty/chatroom.db"))).as("doctor creates no database").isFalse();

    Path data = dir.resolve("old");
    Files.createDirectories(data);
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("chatroom.db"))) {
      c.createStatement().execute("CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50),"
          + " description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT,"
          + " installed_by VARCHAR(100) NOT NULL, installed_on TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),"
          + " execution_time INT NOT NULL, success BOOLEAN NOT NULL)");
    }
    Run behind = doctor(Map.of(), limits(65_536, 65_536), withStore(data, "--port", "0"));
    assertThat(behind.line("database")).startsWith("WARN").contains("no schema yet");
    assertThat(behind.fix("database")).contains("run chatroom migrate");
  }

  @Test
  void aLowOpenFileLimitWarnsWithTheWaysToRaiseIt() throws IOException {
    Run run = doctor(Map.of(), limits(1024, 4096), withStore(dir.resolve("data"), "--port", "0"));
    assertThat(run.code()).isEqualTo(0);
    assertThat(run.line("open files")).startsWith("WARN").contains("limit 1024 (hard 4096)");
    assertThat(run.fix("open files")).contains("LimitNOFILE=").contains("ulimit -n");
  }

  @Test
  void aPortTakenByAnotherProgramFailsButARunningNodeIsFine() throws IOException {
    try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Run run = doctor(Map.of(), limits(65_536, 65_536), withStore(dir.resolve("data"), "--host", "127.0.0.1",
          "--port", String.valueOf(squatter.getLocalPort())));
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.line("port")).startsWith("FAIL").contains("in use by another program");
      assertThat(run.fix("port")).contains("--port");
    }
    Path data = dir.resolve("node");
    try (TestServer node = TestServer.start(data, TestDatabases.create(TestDatabases.Kind.SQLITE, data))) {
      Map<String, String> env = new HashMap<>();
      env.put("DATABASE_URL", "sqlite:" + data.resolve("test.db"));
      Run run = doctor(env, limits(65_536, 65_536), withStore(data, "--host", "127.0.0.1", "--port", String.valueOf(node.port())));
      assertThat(run.line("port")).as(run.out()).startsWith("OK").contains("running chatroom node");
      assertThat(run.line("database")).startsWith("OK");
      assertThat(run.code()).isEqualTo(0);
    }
  }
}
