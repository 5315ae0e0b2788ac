package io.chatroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import io.chatroom.config.DatabaseUrl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration ends start-up at once with one line that names the setting and the fix. */
class StartupTest {
  @TempDir
  Path dataDir;

  private Config config(String port, String databaseUrl) {
    return Config.load(new Config.Flags("127.0.0.1", port, dataDir.toString(), databaseUrl), Map.of());
  }

  @Test
  void portInUseNamesThePortSetting() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Config config = config(Integer.toString(taken.getLocalPort()), null);
      assertThatThrownBy(() -> ChatServer.start(config, null).close())
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("CHATROOM_PORT (--port): cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("choose another with --port");
    }
  }

  @Test
  void unreachableDatabaseNamesTheDatabaseSetting() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Config config = config("0", "postgresql://nobody:secret@127.0.0.1:" + closedPort + "/nothing");
    assertThatThrownBy(() -> ChatServer.start(config, null).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("DATABASE_URL (--database-url): cannot connect to postgresql://nobody@127.0.0.1:" + closedPort)
        .hasMessageNotContaining("secret");
  }

  @Test
  void unreachableRedisNamesTheRedisSetting() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Config config = Config.load(new Config.Flags("127.0.0.1", "0", dataDir.toString(), null),
        Map.of("REDIS_URL", "redis://:hunter2@127.0.0.1:" + closedPort));
    assertThatThrownBy(() -> ChatServer.start(config, null).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("REDIS_URL: cannot connect to redis://***@127.0.0.1:" + closedPort)
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> Config.load(new Config.Flags("127.0.0.1", "0", dataDir.toString(), null), Map.of("REDIS_URL", "127.0.0.1:6379")))
        .hasMessageStartingWith("REDIS_URL: '127.0.0.1:6379' is not a redis:// URL");
  }

  @Test
  void commandLineExitsWithCode2AndOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = Main.run("serve", "--port", "eighty", "--data-dir", dataDir.toString());
    } finally {
      System.setErr(original);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("chatroom: CHATROOM_PORT (--port): 'eighty' is not a port number; use a number from 1 to 65535");
  }

  @Test
  void sqliteIsTheDefaultStoreInTheDataDir() {
    DatabaseUrl db = config("0", null).database();
    assertThat(db.kind()).isEqualTo(DatabaseUrl.Kind.SQLITE);
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:sqlite:" + dataDir.resolve("chatroom.db").toAbsolutePath());
  }
}
