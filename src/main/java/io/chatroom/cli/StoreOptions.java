package io.chatroom.cli;

import picocli.CommandLine.Option;

/** The flags that locate the store, shared by every command that opens it. */
final class StoreOptions {
  @Option(names = "--data-dir", description = "Directory for the SQLite database and secrets (env CHATROOM_DATA_DIR, default ./data)")
  String dataDir;

  @Option(names = "--database-url", description = "postgresql://user:pass@host:5432/db (env DATABASE_URL, default embedded SQLite)")
  String databaseUrl;
}
