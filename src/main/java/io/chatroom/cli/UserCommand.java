package io.chatroom.cli;

import io.chatroom.account.AccountAdmin;
import io.chatroom.account.Admins;
import io.chatroom.account.User;
import io.chatroom.audit.AuditLog;
import io.chatroom.cache.SharedCache;
import io.chatroom.store.Database;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom user list|add|promote|demote|disable|enable|reset-password}: accounts, straight in the
 * database, each change audited as {@code cli:<os user>}. With REDIS_URL set (the nodes' own settings), running
 * nodes are told through Redis and act on it at once; otherwise see docs/operations.md for how soon they notice.
 * Passwords are read from the terminal (twice, not echoed) or, with {@code --password-stdin} or when stdin is
 * not a terminal, as the first line of stdin: never from the command line, where {@code ps} and shell history
 * would show them.
 */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users.",
    subcommands = {UserCommand.ListUsers.class, UserCommand.Add.class, UserCommand.Promote.class, UserCommand.Demote.class,
        UserCommand.Disable.class, UserCommand.Enable.class, UserCommand.ResetPassword.class})
public final class UserCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A subcommand about one user, named as the only parameter. */
  abstract static class OneUser extends AdminCommand {
    @Parameters(paramLabel = "NAME", description = "The username (any case)")
    String username;

    int noSuchUser(String name) {
      return fail("no user named '" + name + "'");
    }
  }

  /** A subcommand that takes a new password. */
  abstract static class WithPassword extends OneUser {
    @Option(names = "--password-stdin", description = "Read the password from the first line of stdin (for scripts)")
    boolean passwordStdin;

    /** The password, or null after saying why there is none. */
    String readPassword() throws IOException {
      Console console = System.console();
      if (!passwordStdin && console != null) {
        char[] first = console.readPassword("Password for %s: ", username);
        char[] again = first == null ? null : console.readPassword("Again: ");
        if (first == null || !Arrays.equals(first, again)) {
          fail("the passwords do not match");
          return null;
        }
        return new String(first);
      }
      // not closed: it is the process's stdin
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        fail("no password on stdin: give it as the first line (e.g. printf '%s\\n' \"$PASSWORD\" | chatroom user ... --password-stdin)");
        return null;
      }
      return line;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List users: name, id, admin, disabled, created.")
  static final class ListUsers extends AdminCommand {
    @Override
    int run(AdminStore opened) throws Exception {
      Table table = new Table("NAME", "ID", "ADMIN", "DISABLED", "CREATED");
      for (AccountAdmin.Row u : opened.db.inTransaction(AccountAdmin::list)) {
        boolean configured = opened.config.observability().adminUsers().contains(u.username());
        String admin = u.admin() ? "yes" : configured ? "yes (ADMIN_USERS)" : "no";
        table.row(u.username(), u.id(), admin, u.disabledAt() == null ? "no" : "since " + Table.time(u.disabledAt()),
            Table.time(u.createdAt()));
      }
      table.print(out());
      return 0;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Create a user, with the same rules as registration; the password comes from stdin or the terminal.")
  static final class Add extends WithPassword {
    @Override
    int run(AdminStore opened) throws Exception {
      AccountAdmin.checkUsername(username); // before asking for a password for it
      String password = readPassword();
      if (password == null) {
        return 1;
      }
      String hash = AccountAdmin.hash(password);
      User user = opened.db.inTransaction(c -> {
        User created = AccountAdmin.add(opened.db, c, username, hash, opened.config.observability().adminUsers());
        AuditLog.append(c, AuditLog.Actor.cli(), AuditLog.Action.USER_ADD, created.username(), Map.of("id", created.id()));
        return created;
      });
      done("created user " + user.username() + " (id " + user.id() + ")");
      return 0;
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Make NAME an admin: the monitor and alert API, and membership of the ops room.")
  static final class Promote extends OneUser {
    @Override
    int run(AdminStore opened) throws Exception {
      if (!setAdmin(opened.db, opened.nodes, username, true)) {
        return noSuchUser(username);
      }
      done(username + " is now an admin");
      return 0;
    }
  }

  @Command(name = "demote", mixinStandardHelpOptions = true,
      description = "Take admin rights and ops room membership away from NAME.")
  static final class Demote extends OneUser {
    @Override
    int run(AdminStore opened) throws Exception {
      if (!setAdmin(opened.db, opened.nodes, username, false)) {
        return noSuchUser(username);
      }
      done(username + " is no longer an admin");
      return 0;
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Refuse NAME's sign-ins and sign out every session they have.")
  static final class Disable extends OneUser {
    @Override
    int run(AdminStore opened) throws Exception {
      Optional<AccountAdmin.Change> change = changeSessions(opened.db, opened.nodes, username, AuditLog.Action.USER_DISABLE,
          c -> AccountAdmin.disable(c, username, System.currentTimeMillis()), err());
      if (change.isEmpty()) {
        return noSuchUser(username);
      }
      done(username + (change.get().changed() ? " is disabled" : " was disabled already") + "; every session is signed out");
      return 0;
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Let a disabled NAME sign in again (their old sessions stay signed out).")
  static final class Enable extends OneUser {
    @Override
    int run(AdminStore opened) throws Exception {
      Optional<AccountAdmin.Change> change = changeSessions(opened.db, opened.nodes, username, AuditLog.Action.USER_ENABLE,
          c -> AccountAdmin.enable(c, username), err());
      if (change.isEmpty()) {
        return noSuchUser(username);
      }
      done(username + (change.get().changed() ? " is enabled" : " was not disabled"));
      return 0;
    }
  }

  @Command(name = "reset-password", mixinStandardHelpOptions = true,
      description = "Set a new password for NAME and sign out every session they have.")
  static final class ResetPassword extends WithPassword {
    @Override
    int run(AdminStore opened) throws Exception {
      String password = readPassword();
      if (password == null) {
        return 1;
      }
      String hash = AccountAdmin.hash(password);
      Optional<AccountAdmin.Change> change = changeSessions(opened.db, opened.nodes, username, AuditLog.Action.USER_RESET_PASSWORD,
          c -> AccountAdmin.resetPassword(c, username, hash, System.currentTimeMillis()), err());
      if (change.isEmpty()) {
        return noSuchUser(username);
      }
      done("new password set for " + username + "; every session is signed out");
      return 0;
    }
  }

  /**
   * Makes a change to whether {@code username}'s sessions count (disable, enable, reset-password) and its audit
   * row in one transaction, then tells the nodes sharing {@code nodes} (null: no Redis; then each node notices
   * within its cache's lifetime). A failed announcement is reported on {@code err}, not fatal.
   *
   * @return empty when there is no such user
   */
  static Optional<AccountAdmin.Change> changeSessions(Database db, SharedCache nodes, String username, AuditLog.Action action,
      Database.SqlWork<Optional<AccountAdmin.Change>> change, PrintWriter err) throws Exception {
    Optional<AccountAdmin.Change> made = db.inTransaction(c -> {
      Optional<AccountAdmin.Change> result = change.apply(c);
      if (result.isPresent()) {
        AuditLog.append(c, AuditLog.Actor.cli(), action, username, Map.of("id", result.get().userId(), "changed", result.get().changed()));
      }
      return result;
    });
    if (made.isPresent() && nodes != null) {
      AdminStore.announce(AccountAdmin.announce(nodes, made.get().userId()), AccountAdmin.unannouncedStaleness(), err);
    }
    return made;
  }

  /**
   * Changes the rights in the database (audited), then announces the change to the nodes sharing {@code nodes}
   * (null: no Redis, and a single node reads rights from the database). A failed announcement is reported,
   * not fatal: the change is made, and nodes notice it when their caches expire.
   *
   * @return false when there is no such user
   */
  static boolean setAdmin(Database db, SharedCache nodes, String username, boolean admin) throws Exception {
    Optional<Admins.Change> change = db.inTransaction(c -> {
      Optional<Admins.Change> made = Admins.setAdmin(c, username, admin);
      if (made.isPresent()) {
        AuditLog.append(c, AuditLog.Actor.cli(), admin ? AuditLog.Action.USER_PROMOTE : AuditLog.Action.USER_DEMOTE, username,
            Map.of("id", made.get().userId()));
      }
      return made;
    });
    if (change.isEmpty()) {
      return false;
    }
    if (nodes != null) {
      AdminStore.announce(Admins.announce(nodes, change.get()), Admins.unannouncedStaleness(), new PrintWriter(System.err, true));
    }
    return true;
  }
}
