package io.chatroom.monitor;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the machine's own figures: CPU, memory, disk of the data directory, network bytes and load.
 * The JDK's OS bean is container-aware, so inside a container these are the container's limits.
 */
public class SystemProbe {
  private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Path dataDir;
  private long lastCpuNanos = -1;
  private long lastWallNanos;

  public SystemProbe(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** The figures as of now. Blocking (reads /proc and the file system): not on an event loop. */
  public Map<Figure, Double> read() {
    Map<Figure, Double> f = new EnumMap<>(Figure.class);
    f.put(Figure.CPU_PERCENT, cpuPercent());
    f.put(Figure.PROCESS_CPU_PERCENT, percent(os.getProcessCpuLoad()));
    long total = os.getTotalMemorySize();
    long free = os.getFreeMemorySize();
    f.put(Figure.MEMORY_PERCENT, percentUsed(total, free));
    f.put(Figure.MEMORY_USED_BYTES, (double) (total - free));
    f.put(Figure.HEAP_USED_BYTES, (double) ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    try {
      FileStore store = Files.getFileStore(dataDir);
      long size = store.getTotalSpace();
      long usable = store.getUsableSpace();
      f.put(Figure.DISK_PERCENT, percentUsed(size, usable));
      f.put(Figure.DISK_FREE_BYTES, (double) usable);
    } catch (IOException e) {
      f.put(Figure.DISK_PERCENT, Double.NaN);
      f.put(Figure.DISK_FREE_BYTES, Double.NaN);
    }
    long[] net = networkBytes();
    f.put(Figure.NETWORK_RX_BYTES, (double) net[0]);
    f.put(Figure.NETWORK_TX_BYTES, (double) net[1]);
    f.put(Figure.LOAD_AVERAGE, Math.max(0, os.getSystemLoadAverage()));
    return f;
  }

  /** System CPU use now, 0-100. */
  public double cpuPercent() {
    return percent(os.getCpuLoad());
  }

  /**
   * This process's CPU use since the previous call, 0-100, of the CPUs it may run on: its affinity or its
   * container's quota, as {@link Runtime#availableProcessors} sees them. A server pinned to one core of two and
   * saturated there shows 50 % system CPU but 100 % here. The first call has no interval yet and says 0.
   */
  public synchronized double processSharePercent() {
    long cpu = os.getProcessCpuTime();
    long wall = System.nanoTime();
    double share = lastCpuNanos < 0 ? 0 : sharePercent(cpu - lastCpuNanos, wall - lastWallNanos, Runtime.getRuntime().availableProcessors());
    lastCpuNanos = cpu;
    lastWallNanos = wall;
    return share;
  }

  static double sharePercent(long cpuNanos, long wallNanos, int cpus) {
    if (cpuNanos < 0 || wallNanos <= 0 || cpus <= 0) {
      return 0;
    }
    return Math.min(100, 100.0 * cpuNanos / ((double) wallNanos * cpus));
  }

  /** System memory in use, 0-100. */
  public double memoryPercent() {
    return percentUsed(os.getTotalMemorySize(), os.getFreeMemorySize());
  }

  private static double percentUsed(long total, long free) {
    return total > 0 ? 100.0 * (total - free) / total : 0;
  }

  private static double percent(double load) {
    return load < 0 ? 0 : Math.min(100, load * 100);
  }

  /** Received and transmitted bytes summed over interfaces other than loopback, from /proc/net/dev. */
  static long[] networkBytes() {
    Path dev = Path.of("/proc/net/dev");
    if (!Files.isReadable(dev)) {
      return new long[] {-1, -1};
    }
    try {
      return parseNetDev(Files.readAllLines(dev));
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  static long[] parseNetDev(List<String> lines) {
    long rx = 0;
    long tx = 0;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // the two header lines
      }
      if (line.substring(0, colon).trim().equals("lo")) {
        continue;
      }
      String[] cols = line.substring(colon + 1).trim().split("\\s+");
      rx += Long.parseLong(cols[0]);
      tx += Long.parseLong(cols[8]);
    }
    return new long[] {rx, tx};
  }
}
