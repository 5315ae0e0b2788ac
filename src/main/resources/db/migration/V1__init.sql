-- One migration set for SQLite and PostgreSQL; ${id_pk} is the dialect's auto-increment primary key.

CREATE TABLE users (
  id ${id_pk},
  username VARCHAR(32) NOT NULL,
  username_key VARCHAR(32) NOT NULL UNIQUE,
  password_hash VARCHAR(100) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE rooms (
  id ${id_pk},
  name VARCHAR(64) NOT NULL UNIQUE,
  topic VARCHAR(256) NOT NULL DEFAULT '',
  is_private BOOLEAN NOT NULL,
  -- last assigned message seq; bumped inside the commit transaction, which serialises seq per room
  last_seq BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE room_members (
  room_id BIGINT NOT NULL REFERENCES rooms (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (room_id, user_id)
);

CREATE INDEX room_members_by_user ON room_members (user_id);

CREATE TABLE messages (
  room_id BIGINT NOT NULL REFERENCES rooms (id),
  seq BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id),
  client_msg_id VARCHAR(64),
  body TEXT NOT NULL,
  ts BIGINT NOT NULL,
  PRIMARY KEY (room_id, seq)
);

-- idempotent sends: one message per (room, author, clientMsgId); NULL ids never collide
CREATE UNIQUE INDEX messages_client_msg_id ON messages (room_id, user_id, client_msg_id);

INSERT INTO rooms (name, topic, is_private, last_seq, created_at) VALUES ('general', 'Everyone', FALSE, 0, 0);
