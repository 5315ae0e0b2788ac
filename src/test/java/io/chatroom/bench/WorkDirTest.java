package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirTest {
  @TempDir
  Path dir;

  /** What a run leaves: a server's directory with its database and log. */
  private static void fill(Path work) throws IOException {
    Path server = Files.createDirectories(work.resolve("chatroom-1/chatroom-data"));
    Files.writeString(server.resolve("chatroom.db"), "x".repeat(4096));
    Files.writeString(work.resolve("chatroom-1/chatroom-server.log"), "started");
  }

  @Test
  void aDirectoryTheBenchMadeIsDeletedWithEverythingInIt() throws IOException {
    WorkDir work = WorkDir.open(null);
    fill(work.path());

    assertThat(work.finish(false)).isNull();
    assertThat(work.path()).doesNotExist();
  }

  @Test
  void aDirectoryTheBenchMadeIsKeptWhenSomethingInItIsWanted() throws IOException {
    WorkDir work = WorkDir.open(null);
    fill(work.path());

    assertThat(work.finish(true)).isEqualTo(work.path());
    assertThat(work.path().resolve("chatroom-1/chatroom-server.log")).exists();
    work.finish(false); // not to leave it in the machine's temporary directory
  }

  @Test
  void aDirectoryGivenWithWorkDirIsTheUsersAndStays() throws IOException {
    WorkDir work = WorkDir.open(dir.resolve("mine"));
    fill(work.path());

    assertThat(work.finish(false)).isEqualTo(dir.resolve("mine"));
    assertThat(dir.resolve("mine/chatroom-1/chatroom-data/chatroom.db")).exists();
  }
}
