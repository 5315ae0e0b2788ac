package io.chatroom;

import io.chatroom.cli.ClusterCommand;
import io.chatroom.cli.ServeCommand;
import io.chatroom.cli.UserCommand;
import io.chatroom.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chatroom} command line: one jar, one subcommand per job. */
@Command(name = "chatroom", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Self-hosted chat: rooms, direct messages, durable history.",
    subcommands = {ServeCommand.class, UserCommand.class, ClusterCommand.class})
public final class Main implements Runnable {
  /** Exit code for bad configuration, so scripts can tell it from a crash. */
  public static final int EXIT_CONFIG = 2;

  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command line and returns its exit code; bad configuration prints one line and returns 2. */
  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException) {
        cmd.getErr().println("chatroom: " + e.getMessage());
        return EXIT_CONFIG;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"chatroom " + (v == null ? "dev" : v)};
    }
  }
}
