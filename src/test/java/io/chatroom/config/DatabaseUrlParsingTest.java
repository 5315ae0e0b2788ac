package io.chatroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseUrlParsingTest {
  @TempDir
  Path dataDir;

  @Test
  void libpqStyleUrlBecomesJdbcWithDecodedCredentials() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://chat:p%40ss:word@db.internal:5433/chat?sslmode=disable", dataDir);
    assertThat(url.kind()).isEqualTo(DatabaseUrl.Kind.POSTGRES);
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/chat?sslmode=disable");
    assertThat(url.user()).isEqualTo("chat");
    assertThat(url.password()).isEqualTo("p@ss:word");
    assertThat(url.display()).isEqualTo("postgresql://chat@db.internal:5433/chat").doesNotContain("p@ss");
  }

  @Test
  void postgresSchemeAndDefaultPortAreAccepted() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://db/chat", dataDir);
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/chat");
    assertThat(url.user()).isNull();
  }

  @Test
  void unsetMeansSqliteInTheDataDir() {
    assertThat(DatabaseUrl.parse(null, dataDir).jdbcUrl()).isEqualTo("jdbc:sqlite:" + dataDir.resolve("chatroom.db"));
    assertThat(DatabaseUrl.parse("sqlite:other.db", dataDir).jdbcUrl()).isEqualTo("jdbc:sqlite:" + dataDir.resolve("other.db"));
  }

  @Test
  void unusableUrlsNameTheSettingAndTheFix() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://db/chat", dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("DATABASE_URL (--database-url): unsupported database 'mysql'")
        .hasMessageContaining("use postgresql://");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db:5432/", dataDir))
        .hasMessageContaining("names no database");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db:notaport/chat", dataDir))
        .isInstanceOf(ConfigException.class);
  }
}
