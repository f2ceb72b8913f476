-- Schema 1 of the sync server (PostgreSQL dialect, kept to SQL CockroachDB also accepts;
-- sqlite/migrations/001-initial.sql is the same schema for SQLite).
--
-- Times are BIGINT milliseconds since the epoch, always passed in by the server: the store
-- never reads the clock. Bearer secrets (refresh tokens, add-device codes, invite tokens) are
-- kept only as hex SHA-256 hashes, so a copy of the database opens no account.

-- A person with an account. Everything else hangs off a user.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- WebAuthn credentials (passkeys). The id is the base64url credential id the browser sends
-- at sign-in, so looking a key up is one primary-key read. `transports` is a JSON array.
CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  public_key BYTEA NOT NULL,
  counter BIGINT NOT NULL CHECK (counter >= 0),
  transports TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX credentials_by_user ON credentials (user_id);

-- Devices of a user. A device's id is its node id in every pool. Revoked devices stay, so the
-- account page can show them and their ids are never reused.
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('desktop', 'browser', 'mobile', 'cli')),
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX devices_by_user ON devices (user_id);

-- Refresh-token sessions, each bound to one device: revoking the device revokes them.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX sessions_by_device ON sessions (device_id);

-- One-time codes with which a signed-in device adds another one. `used_at` is set by the
-- single conditional UPDATE that consumes the code.
CREATE TABLE add_device_codes (
  code_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

-- Pools. `is_home` (0 or 1) marks a user's private home pool; the partial unique index keeps
-- it to one per user. Settings are columns: there are two and both are always read.
CREATE TABLE pools (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  is_home SMALLINT NOT NULL CHECK (is_home IN (0, 1)),
  max_text_bytes BIGINT NOT NULL CHECK (max_text_bytes > 0),
  max_file_bytes BIGINT NOT NULL CHECK (max_file_bytes > 0),
  created_at BIGINT NOT NULL
);
CREATE INDEX pools_by_owner ON pools (owner_id);
CREATE UNIQUE INDEX pools_one_home_per_owner ON pools (owner_id) WHERE is_home = 1;

-- Who is in which pool. Deleting a pool deletes its members (and its invites, below).
CREATE TABLE pool_members (
  pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (pool_id, user_id)
);
CREATE INDEX pool_members_by_user ON pool_members (user_id);

-- Invites. The token itself is only in the link; `uses` is incremented by one conditional
-- UPDATE, and the CHECK is the last line of defence against over-use.
CREATE TABLE invites (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  created_by TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  max_uses BIGINT NOT NULL CHECK (max_uses > 0),
  uses BIGINT NOT NULL CHECK (uses >= 0 AND uses <= max_uses),
  revoked_at BIGINT
);
CREATE INDEX invites_by_pool ON invites (pool_id);
