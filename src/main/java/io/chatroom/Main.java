package io.chatroom;

import io.chatroom.bench.BenchCommand;
import io.chatroom.cli.BackupCommand;
import io.chatroom.cli.ClusterCommand;
import io.chatroom.cli.DoctorCommand;
import io.chatroom.cli.ExportCommand;
import io.chatroom.cli.ImportCommand;
import io.chatroom.cli.MigrateCommand;
import io.chatroom.cli.RestoreCommand;
import io.chatroom.cli.RoomCommand;
import io.chatroom.cli.ServeCommand;
import io.chatroom.cli.UserCommand;
import io.chatroom.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chatroom} command line: one jar, one subcommand per job. */
@Command(name = "chatroom", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Self-hosted chat: rooms, direct messages, durable history.",
    subcommands = {ServeCommand.class, UserCommand.class, ClusterCommand.class, BackupCommand.class, RestoreCommand.class,
        ExportCommand.class, ImportCommand.class, RoomCommand.class, MigrateCommand.class, DoctorCommand.class,
        BenchCommand.class})
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
    return run(new CommandLine(new Main()), args);
  }

  /** As {@link #run(String...)}, printing to {@code out} and {@code err} (tests read what a command prints). */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return run(new CommandLine(new Main()).setOut(out).setErr(err), args);
  }

  private static int run(CommandLine cli, String... args) {
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
