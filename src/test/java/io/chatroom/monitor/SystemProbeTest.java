package io.chatroom.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemProbeTest {
  /** /proc/net/dev as a Linux 6.x host prints it, with loopback, a wide-counter line and an idle bridge. */
  private static final String NET_DEV = """
      Inter-|   Receive                                                |  Transmit
       face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
          lo: 987654321  123456    0    0    0     0          0         0 987654321  123456    0    0    0     0       0          0
        eth0: 1500000000 1020304    3    7    0     0          0      4242 250000000   808080    0    0    0     0       0          0
       wlan0:  123456     789    0    0    0     0          0        12    65432     321    0    0    0     0       0          0
      docker0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
        eth1:98765432101  55    0    0    0     0          0         0 12345678901  66    0    0    0     0       0          0
      """;

  @Test
  void parseNetDevSumsReceivedAndTransmittedBytesExceptLoopback() {
    long[] bytes = SystemProbe.parseNetDev(NET_DEV.lines().toList());

    assertThat(bytes).containsExactly(
        1_500_000_000L + 123_456L + 0L + 98_765_432_101L,
        250_000_000L + 65_432L + 0L + 12_345_678_901L);
  }

  @Test
  void parseNetDevOfOnlyLoopbackIsZero() {
    List<String> lines = NET_DEV.lines().limit(3).toList();

    assertThat(SystemProbe.parseNetDev(lines)).containsExactly(0L, 0L);
  }

  @Test
  void readReturnsEveryMachineFigureInRange(@TempDir Path dataDir) {
    Map<Figure, Double> f = new SystemProbe(dataDir).read();

    assertThat(f).containsOnlyKeys(Figure.CPU_PERCENT, Figure.PROCESS_CPU_PERCENT, Figure.MEMORY_PERCENT,
        Figure.MEMORY_USED_BYTES, Figure.HEAP_USED_BYTES, Figure.DISK_PERCENT, Figure.DISK_FREE_BYTES,
        Figure.NETWORK_RX_BYTES, Figure.NETWORK_TX_BYTES, Figure.LOAD_AVERAGE);
    assertThat(f.get(Figure.CPU_PERCENT)).isBetween(0.0, 100.0);
    assertThat(f.get(Figure.PROCESS_CPU_PERCENT)).isBetween(0.0, 100.0);
    assertThat(f.get(Figure.MEMORY_PERCENT)).isGreaterThan(0.0).isLessThanOrEqualTo(100.0);
    assertThat(f.get(Figure.MEMORY_USED_BYTES)).isPositive();
    assertThat(f.get(Figure.HEAP_USED_BYTES)).isPositive();
    assertThat(f.get(Figure.DISK_PERCENT)).isBetween(0.0, 100.0);
    assertThat(f.get(Figure.DISK_FREE_BYTES)).isPositive();
    assertThat(f.get(Figure.LOAD_AVERAGE)).isGreaterThanOrEqualTo(0.0);
    if (Files.isReadable(Path.of("/proc/net/dev"))) {
      assertThat(f.get(Figure.NETWORK_RX_BYTES)).isGreaterThanOrEqualTo(0.0);
      assertThat(f.get(Figure.NETWORK_TX_BYTES)).isGreaterThanOrEqualTo(0.0);
    } else {
      assertThat(f.get(Figure.NETWORK_RX_BYTES)).isEqualTo(-1.0);
      assertThat(f.get(Figure.NETWORK_TX_BYTES)).isEqualTo(-1.0);
    }
    assertThat(f.values()).allSatisfy(v -> assertThat(v).isNotNaN());
  }

  @Test
  void theShortcutsAgreeWithTheirRanges(@TempDir Path dataDir) {
    SystemProbe probe = new SystemProbe(dataDir);

    assertThat(probe.cpuPercent()).isBetween(0.0, 100.0);
    assertThat(probe.memoryPercent()).isGreaterThan(0.0).isLessThanOrEqualTo(100.0);
  }

  @Test
  void aProcessShareIsItsCpuTimeOverTheCoresItMayUse() {
    long second = 1_000_000_000L;
    assertThat(SystemProbe.sharePercent(second, second, 1)).as("one core, busy all the time").isEqualTo(100.0);
    assertThat(SystemProbe.sharePercent(second, second, 2)).as("one of two cores").isEqualTo(50.0);
    assertThat(SystemProbe.sharePercent(second / 4, second, 1)).isEqualTo(25.0);
    assertThat(SystemProbe.sharePercent(3 * second, second, 2)).as("never above 100").isEqualTo(100.0);
    assertThat(SystemProbe.sharePercent(second, 0, 1)).as("no interval yet").isZero();
  }

  @Test
  void aBusyThreadShowsInTheProcessShare(@TempDir Path dataDir) {
    SystemProbe probe = new SystemProbe(dataDir);
    assertThat(probe.processSharePercent()).as("the first call has no interval").isZero();
    long until = System.nanoTime() + 300_000_000L;
    long spins = 0;
    while (System.nanoTime() < until) {
      spins++;
    }
    // one thread busy for the whole interval is at least 1/cores of the share, less what the scheduler took
    double share = probe.processSharePercent();
    assertThat(share).as("after %d spins", spins).isGreaterThan(50.0 / Runtime.getRuntime().availableProcessors()).isLessThanOrEqualTo(100.0);
  }

  @Test
  void aDataDirectoryThatDoesNotExistGivesNoDiskFigures(@TempDir Path dataDir) {
    Map<Figure, Double> f = new SystemProbe(dataDir.resolve("missing")).read();

    assertThat(f.get(Figure.DISK_PERCENT)).isNaN();
    assertThat(f.get(Figure.DISK_FREE_BYTES)).isNaN();
    assertThat(f.get(Figure.MEMORY_PERCENT)).isPositive();
  }
}
