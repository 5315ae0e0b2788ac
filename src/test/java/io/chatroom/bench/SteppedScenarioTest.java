package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SteppedScenarioTest {
  @Test
  void aStepIsBehindWhenTooFewDeliveriesArrived() {
    // rooms of 10: 1,000 sends call for 10,000 deliveries; 9,000 is the line, less one message's fan-out
    assertThat(SteppedScenario.behind(1_000, 8_990, 10)).isFalse();
    assertThat(SteppedScenario.behind(1_000, 8_989, 10)).isTrue();
  }

  @Test
  void theLastMessagesFanOutMayStillBeUnderWay() {
    // broadcast to 5,000 at 2 msgs/s: six sends in a 3 s step, the sixth still being written to its room
    assertThat(SteppedScenario.behind(6, 25_000, 5_000)).isFalse();
    assertThat(SteppedScenario.behind(6, 20_000, 5_000)).isTrue();
  }
}
