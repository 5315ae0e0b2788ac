package io.chatroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where a bench run keeps the servers' data and logs. A directory the bench made itself goes when the run is
 * over, unless something in it is still wanted: a run of each scenario leaves 70-110 MB of database, and
 * repeated runs filled /tmp by gigabytes. A directory given with {@code --work-dir} is the user's and stays.
 */
final class WorkDir {
  private final Path path;
  private final boolean temporary;

  private WorkDir(Path path, boolean temporary) {
    this.path = path;
    this.temporary = temporary;
  }

  /** {@code requested}, created if missing; or, when null, a new temporary directory. */
  static WorkDir open(Path requested) throws IOException {
    return requested != null
        ? new WorkDir(Files.createDirectories(requested), false)
        : new WorkDir(Files.createTempDirectory("chatroom-bench"), true);
  }

  Path path() {
    return path;
  }

  /**
   * Deletes a temporary directory unless {@code keep} (a Flight Recording was asked for, or the run lost or
   * duplicated something and its server logs say why); returns where it was kept (also when it could not be
   * deleted), or null when it is gone.
   */
  Path finish(boolean keep) {
    if (!temporary || keep) {
      return path;
    }
    try (Stream<Path> tree = Files.walk(path)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      return path; // what could not go stays where the caller says it is; the results matter more
    }
    return null;
  }
}
