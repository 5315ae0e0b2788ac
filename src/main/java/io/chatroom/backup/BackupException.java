package io.chatroom.backup;

/**
 * A backup, restore, export or import that cannot go on. The message is the one line an operator sees: what
 * is wrong and, where there is one, what to do. Whatever raised it has left the target store as it was,
 * unless the message says otherwise.
 */
public final class BackupException extends RuntimeException {
  public BackupException(String message) {
    super(message, null, false, false);
  }

  public BackupException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
