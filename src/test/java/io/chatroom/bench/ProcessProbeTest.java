package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

class ProcessProbeTest {
  @Test
  void readsUserPlusSystemTicksEvenWhenTheNameHasSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 30 0 123 456 789";
    assertThat(ProcessProbe.cpuSecondsOf(stat)).isEqualTo(4.0); // 400 ticks at 100 Hz
  }

  @Test
  void readsResidentMemoryInBytes() {
    assertThat(ProcessProbe.rssBytesOf("Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  2048 kB\nThreads:\t7\n")).isEqualTo(2048L * 1024);
  }

  @Test
  void measuresALiveProcess() {
    assumeThat(ProcessProbe.available()).isTrue();
    ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
    double before = self.cpuSeconds();
    long spin = System.nanoTime() + 300_000_000L;
    long x = 0;
    while (System.nanoTime() < spin) {
      x += System.nanoTime() % 7;
    }
    assertThat(x).isPositive();
    assertThat(self.cpuSeconds()).isGreaterThan(before);
    assertThat(self.rssBytes()).isGreaterThan(1L << 20);
  }

  @Test
  void awaitIdleTellsASpinningProcessFromAQuietOne() throws Exception {
    assumeThat(ProcessProbe.available()).isTrue();
    ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
    java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread spinner = new Thread(() -> {
      long x = 0;
      while (spin.get()) {
        x += System.nanoTime() % 7;
      }
      assertThat(x).isNotNegative();
    });
    spinner.start();
    try {
      assertThat(self.awaitIdle(0.1, java.time.Duration.ofMillis(1_200))).as("a thread spinning on a core").isFalse();
    } finally {
      spin.set(false);
      spinner.join();
    }
    assertThat(self.awaitIdle(0.5, java.time.Duration.ofSeconds(10))).as("once it stops").isTrue();
  }
}
