package io.chatroom.bench;

import java.time.Duration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's CPU time and resident memory from {@code /proc}, the way the kernel accounts them, so a
 * server's figures can be divided by the CPU it really used rather than by wall-clock time on a noisy machine.
 */
public final class ProcessProbe {
  private static final long TICKS_PER_SECOND = clockTicks();

  private final long pid;

  public ProcessProbe(long pid) {
    this.pid = pid;
  }

  /** Whether this machine has {@code /proc} to read (Linux). */
  public static boolean available() {
    return Files.isReadable(Path.of("/proc/self/stat"));
  }

  public long pid() {
    return pid;
  }

  /** User plus system CPU time of the process so far, in seconds. */
  public double cpuSeconds() {
    return cpuSecondsOf(read("stat"));
  }

  /** Resident set size in bytes. */
  /**
   * Waits until the process uses at most {@code cores} over a half-second window, or {@code max} passes; true if
   * it settled. After a burst, a JVM keeps compiling what the burst made hot for seconds.
   */
  public boolean awaitIdle(double cores, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      double before = cpuSeconds();
      long started = System.nanoTime();
      Thread.sleep(500);
      if ((cpuSeconds() - before) / ((System.nanoTime() - started) / 1e9) <= cores) {
        return true;
      }
    }
    return false;
  }

  public long rssBytes() {
    return rssBytesOf(read("status"));
  }

  /** utime + stime from a {@code /proc/<pid>/stat} line; the command name in parentheses may hold spaces. */
  static double cpuSecondsOf(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // fields[0] is the state (field 3 of stat(5)); utime and stime are fields 14 and 15
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks / (double) TICKS_PER_SECOND;
  }

  /** VmRSS from a {@code /proc/<pid>/status} text, in bytes. */
  static long rssBytesOf(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS line in /proc status");
  }

  private String read(String file) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), file));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/" + file + " (has the process exited?)", e);
    }
  }

  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes()).trim();
      if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the Linux default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
