package io.chatroom.cli;

import io.chatroom.ChatException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the administrative subcommands share: the store flags, the store they open, where they print, and
 * how a refusal the operator caused (an unknown name, a password too short) ends them: one line, exit 1.
 */
abstract class AdminCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store;

  @Spec
  CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  abstract int run(AdminStore opened) throws Exception;

  @Override
  public Integer call() throws Exception {
    try (AdminStore opened = AdminStore.open(store)) {
      return run(opened);
    } catch (ChatException e) {
      return fail(e.getMessage());
    }
  }

  int fail(String message) {
    err().println("chatroom: " + message);
    err().flush();
    return 1;
  }

  void done(String message) {
    out().println(message);
    out().flush();
  }
}
