-- What operators change from the command line and the admin API, and the record of who changed it.

-- a disabled user cannot sign in, and their tokens are refused; NULL means enabled
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
-- tokens issued before this moment (epoch ms) are refused: a password reset signs every session out
ALTER TABLE users ADD COLUMN sessions_valid_after BIGINT NOT NULL DEFAULT 0;

CREATE TABLE audit_events (
  id ${id_pk},
  ts BIGINT NOT NULL,
  -- 'cli:<os user>' for the command line, the username for the admin API, 'system' for the server itself
  actor VARCHAR(128) NOT NULL,
  action VARCHAR(64) NOT NULL,
  target VARCHAR(256) NOT NULL,
  detail TEXT NOT NULL,
  -- the host for the command line, the client address for the API
  origin VARCHAR(256) NOT NULL
);

CREATE INDEX audit_events_by_ts ON audit_events (ts);
