-- Idempotency keys of sends move out of the messages table into a table of their own, which the writer
-- may fill behind the messages: on SQLite a unique index on messages cost each send a second page in the
-- WAL (its room's leaf of the index beside its room's leaf of the table), about 40 % of the durable
-- throughput. rooms.keyed_seq records how far each room's keys are in client_msg_ids; messages past it
-- are keyed again at start-up, so keys still in the writer's memory at a crash are not lost.
CREATE TABLE client_msg_ids (
  room_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  client_msg_id VARCHAR(64) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (room_id, user_id, client_msg_id)
)${without_rowid};

INSERT INTO client_msg_ids (room_id, user_id, client_msg_id, seq)
  SELECT room_id, user_id, client_msg_id, seq FROM messages WHERE client_msg_id IS NOT NULL;

DROP INDEX messages_client_msg_id;

ALTER TABLE rooms ADD COLUMN keyed_seq BIGINT NOT NULL DEFAULT 0;

UPDATE rooms SET keyed_seq = last_seq;
