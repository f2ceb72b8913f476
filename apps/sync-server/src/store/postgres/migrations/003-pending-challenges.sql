-- Pending WebAuthn challenges ([AUTH1], [DB24]): in the store, not in one server's memory, so
-- a ceremony begun on one instance of a cluster can finish on another, and a restart loses
-- none. `ceremony` is the JSON the auth service needs at finish; rows go when taken or swept
-- after `expires_at`.
CREATE TABLE pending_challenges (
  id TEXT PRIMARY KEY,
  ceremony TEXT NOT NULL,
  challenge TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX pending_challenges_expiry ON pending_challenges (expires_at);
