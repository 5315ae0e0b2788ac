package io.chatroom.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <backup>.sha256} files in {@code sha256sum}'s format (one {@code <hex>  <name>} line per file, names
 * relative to the file's own dir), so {@code sha256sum -c} checks them too. Written last: a backup whose
 * checksum file exists is complete.
 */
final class Checksums {
  private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

  private Checksums() {}

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Writes {@code <first>.sha256} listing {@code files} (all in one dir), atomically. */
  static Path write(List<Path> files) throws IOException {
    Path first = files.get(0);
    StringBuilder text = new StringBuilder();
    for (Path file : files) {
      text.append(sha256(file)).append("  ").append(file.getFileName()).append('\n');
    }
    Path target = BackupName.checksumOf(first);
    Path partial = BackupName.partialOf(target);
    Files.writeString(partial, text, StandardCharsets.UTF_8);
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  /**
   * Checks {@code file} and every other file its {@code .sha256} lists.
   *
   * @throws BackupException when the checksum file is missing, does not list {@code file}, or any sum differs
   */
  static void verify(Path file) throws IOException {
    Path sums = BackupName.checksumOf(file);
    if (!Files.isRegularFile(sums)) {
      throw new BackupException("no checksum file " + sums.getFileName() + " next to " + file.getFileName()
          + "; refusing an unverified backup (copy the .sha256 file along with the backup)");
    }
    boolean listed = false;
    for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches() || m.group(2).contains("/") || m.group(2).contains("\\")) {
        throw new BackupException(sums.getFileName() + " is not a sha256sum file (bad line: " + line.strip() + ")");
      }
      Path listedFile = sums.resolveSibling(m.group(2));
      if (!Files.isRegularFile(listedFile)) {
        throw new BackupException(sums.getFileName() + " lists " + m.group(2) + ", which is missing; copy it along with the backup");
      }
      String actual = sha256(listedFile);
      if (!actual.equalsIgnoreCase(m.group(1))) {
        throw new BackupException("checksum mismatch for " + m.group(2) + ": the file is corrupt or was changed since the backup"
            + " (expected " + m.group(1).toLowerCase(java.util.Locale.ROOT) + ", got " + actual + ")");
      }
      listed |= listedFile.getFileName().equals(file.getFileName());
    }
    if (!listed) {
      throw new BackupException(sums.getFileName() + " does not list " + file.getFileName() + "; refusing an unverified backup");
    }
  }
}
