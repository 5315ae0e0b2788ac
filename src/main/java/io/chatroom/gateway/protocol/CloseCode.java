package io.chatroom.gateway.protocol;

/** WebSocket close codes the server uses, and what a client should do on each. */
public enum CloseCode {
  /** Idle connection did not answer pings: reconnect. */
  GOING_AWAY(1001),
  /** Authentication failed or persistent abuse: fix the token or behaviour before reconnecting. */
  POLICY_VIOLATION(1008),
  /** A frame over 64 KiB. */
  MESSAGE_TOO_BIG(1009),
  /** The server is restarting: reconnect (to another node) and resume with since. */
  SERVICE_RESTART(1012),
  /** The client read too slowly and its send queue overflowed: reconnect and resume with since. */
  TRY_AGAIN_LATER(1013);

  public final short code;

  CloseCode(int code) {
    this.code = (short) code;
  }
}
