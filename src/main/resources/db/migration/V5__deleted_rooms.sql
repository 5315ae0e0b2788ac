-- Names of rooms an operator deleted. Joining a public room that does not exist creates it, so without this a
-- client that still had the room open (and rejoins on reconnect) would bring it straight back. Creating the
-- room on purpose (POST /api/rooms) lifts the mark.
CREATE TABLE deleted_rooms (
  name VARCHAR(64) PRIMARY KEY,
  deleted_at BIGINT NOT NULL
);
