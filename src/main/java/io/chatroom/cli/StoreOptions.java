package io.chatroom.cli;

import io.chatroom.config.Config;
import picocli.CommandLine.Option;

/** The flags that locate the store, shared by every command that opens it. */
final class StoreOptions {
  @Option(names = "--data-dir", description = "Directory for the SQLite database and secrets (env CHATROOM_DATA_DIR, default ./data)")
  String dataDir;

  @Option(names = "--database-url", description = "postgresql://user:pass@host:5432/db (env DATABASE_URL, default embedded SQLite)")
  String databaseUrl;

  /** The configuration every store command runs with: these flags over the environment (and CHATROOM_CONFIG_FILE). */
  Config config() {
    return Config.load(new Config.Flags(null, null, dataDir, databaseUrl), System.getenv());
  }
}
