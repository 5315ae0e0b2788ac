-- Admins, the system author of operational messages, the ops room, and the built-in monitor's memory.

ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;

-- '!' is no bcrypt hash: nobody can sign in as system
INSERT INTO users (username, username_key, password_hash, created_at)
SELECT 'system', 'system', '!', 0 WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_key = 'system');

-- private: alerts name hosts and figures; admins are its members
INSERT INTO rooms (name, topic, is_private, last_seq, created_at)
SELECT 'ops', 'Alerts and operational notices', TRUE, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM rooms WHERE name = 'ops');

-- one row per node per sample; a restart reloads the last 24 h from here
CREATE TABLE monitor_samples (
  node VARCHAR(128) NOT NULL,
  ts BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (node, ts)
);

CREATE TABLE alert_events (
  id ${id_pk},
  node VARCHAR(128) NOT NULL,
  rule VARCHAR(128) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  state VARCHAR(16) NOT NULL,
  figure VARCHAR(64) NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  summary TEXT NOT NULL,
  notified BOOLEAN NOT NULL,
  ts BIGINT NOT NULL
);

CREATE INDEX alert_events_by_ts ON alert_events (ts);
