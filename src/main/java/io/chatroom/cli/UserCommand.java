package io.chatroom.cli;

import io.chatroom.account.Admins;
import io.chatroom.config.Config;
import io.chatroom.store.Database;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code chatroom user promote|demote NAME}: grants or takes away admin rights, straight in the database. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users.",
    subcommands = {UserCommand.Promote.class, UserCommand.Demote.class})
public final class UserCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** The shared shape of promote and demote: which store, which user. */
  abstract static class AdminChange implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Parameters(paramLabel = "NAME", description = "The username")
    String username;

    abstract boolean admin();

    @Override
    public Integer call() throws Exception {
      return setAdmin(store, username, admin());
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Make NAME an admin: the monitor and alert API, and membership of the ops room.")
  static final class Promote extends AdminChange {
    @Override
    boolean admin() {
      return true;
    }
  }

  @Command(name = "demote", mixinStandardHelpOptions = true,
      description = "Take admin rights and ops room membership away from NAME.")
  static final class Demote extends AdminChange {
    @Override
    boolean admin() {
      return false;
    }
  }

  private static int setAdmin(StoreOptions store, String username, boolean admin) throws Exception {
    Config config = Config.load(new Config.Flags(null, null, store.dataDir, store.databaseUrl), System.getenv());
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, config.database(), null)) {
      boolean found = db.inTransaction(c -> Admins.setAdmin(c, username, admin));
      if (!found) {
        System.err.println("chatroom: no user named '" + username + "'");
        return 1;
      }
      System.out.println(username + (admin ? " is now an admin" : " is no longer an admin"));
      return 0;
    } finally {
      vertx.close();
    }
  }
}
