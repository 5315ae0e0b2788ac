package io.chatroom.testing;

import io.chatroom.Main;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the {@code chatroom} command line in this JVM, as an operator would, and keeps what it printed. */
public final class Cli {
  private Cli() {}

  /** A finished command: its exit code and everything it printed. */
  public record Result(int code, String out, String err) {}

  public static Result run(String... args) {
    return withStdin("", args);
  }

  /** Runs with {@code stdin} as standard input (a password, a confirmation). */
  public static synchronized Result withStdin(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
      int code = Main.run(o, e, args);
      o.flush();
      e.flush();
      return new Result(code, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }
}
