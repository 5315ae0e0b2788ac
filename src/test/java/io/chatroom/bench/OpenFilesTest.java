package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.config.ConfigException;
import org.junit.jupiter.api.Test;

class OpenFilesTest {
  @Test
  void readsTheSoftLimit() {
    String limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            20000                65536                files
        """;
    assertThat(OpenFiles.parse(limits)).isEqualTo(20000);
    assertThat(OpenFiles.parse("Max open files            unlimited            unlimited            files")).isEqualTo(-1);
  }

  @Test
  void refusesMoreConnectionsThanTheLimitAllows() {
    long limit = OpenFiles.softLimit();
    if (limit > 0) {
      assertThatThrownBy(() -> OpenFiles.require((int) Math.min(Integer.MAX_VALUE, limit)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("--clients").hasMessageContaining("ulimit -n");
    }
    OpenFiles.require(10);
  }
}
