-- The assistant: the user its answers come from, and the link from an answer to its question.

-- '!' is no bcrypt hash: nobody can sign in as ai; and at two characters the name is shorter than any
-- username registration accepts, so nobody can have taken it before this migration ran
INSERT INTO users (username, username_key, password_hash, created_at)
SELECT 'ai', 'ai', '!', 0 WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_key = 'ai');

-- the seq of the message (in the same room) this one answers; NULL for everything but the assistant's answers
ALTER TABLE messages ADD COLUMN reply_to BIGINT;

-- TRUE when an answer broke off (the provider failed mid-stream): its text ends with a marker saying so
ALTER TABLE messages ADD COLUMN interrupted BOOLEAN NOT NULL DEFAULT FALSE;
