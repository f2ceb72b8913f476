/**
 * Every statement the SQL store runs, in one place. They are written once, in SQL that
 * SQLite, PostgreSQL and CockroachDB all accept, with `?` placeholders (the PostgreSQL driver
 * numbers them `$1…`). The schema they run against is in `../sqlite/migrations` and
 * `../postgres/migrations`.
 *
 * The atomic operations (consume a code, use an invite) rest on conditional UPDATEs: the
 * WHERE clause re-checks the condition, so of two racing transactions only one changes the
 * row, and the other sees 0 rows changed.
 */

// ---- users and credentials

export const INSERT_USER = 'INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?)';
export const SELECT_USER = 'SELECT * FROM users WHERE id = ?';
export const UPDATE_USER_NAME = 'UPDATE users SET display_name = ? WHERE id = ?';

export const INSERT_CREDENTIAL = `
  INSERT INTO credentials (id, user_id, public_key, counter, transports, created_at)
  VALUES (?, ?, ?, ?, ?, ?)`;
export const SELECT_CREDENTIAL = 'SELECT * FROM credentials WHERE id = ?';
export const SELECT_CREDENTIALS_OF_USER =
  'SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id';
export const UPDATE_CREDENTIAL_COUNTER =
  'UPDATE credentials SET counter = ?, last_used_at = ? WHERE id = ?';

// ---- devices and sessions

export const INSERT_DEVICE = `
  INSERT INTO devices (id, user_id, name, type, created_at, last_seen_at)
  VALUES (?, ?, ?, ?, ?, ?)`;
export const SELECT_DEVICE = 'SELECT * FROM devices WHERE id = ?';
export const SELECT_DEVICES_OF_USER =
  'SELECT * FROM devices WHERE user_id = ? ORDER BY created_at, id';
export const UPDATE_DEVICE_NAME = 'UPDATE devices SET name = ? WHERE id = ? AND user_id = ?';
/** Only a live device of the user may set its key. */
export const UPDATE_DEVICE_SIGNING_KEY =
  'UPDATE devices SET signing_key = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL';
export const SELECT_DEVICE_SIGNING_KEY =
  'SELECT signing_key FROM devices WHERE id = ? AND user_id = ? AND revoked_at IS NULL';
/** Keeps the first revocation time when revoked twice. */
export const REVOKE_DEVICE =
  'UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?';
/** Last seen never moves backwards, whatever order concurrent requests land in. */
export const TOUCH_DEVICE = `
  UPDATE devices SET last_seen_at = CASE WHEN last_seen_at < ? THEN ? ELSE last_seen_at END
  WHERE id = ?`;

export const INSERT_SESSION = `
  INSERT INTO sessions (token_hash, user_id, device_id, created_at, expires_at)
  VALUES (?, ?, ?, ?, ?)`;
/** The session with its device's revocation, which revokes the session too. */
export const SELECT_SESSION = `
  SELECT s.*, d.revoked_at AS device_revoked_at
  FROM sessions s JOIN devices d ON d.id = s.device_id
  WHERE s.token_hash = ?`;
export const REVOKE_SESSION =
  'UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE token_hash = ?';
export const REVOKE_SESSIONS_OF_DEVICE =
  'UPDATE sessions SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL';

// ---- add-device codes

export const INSERT_ADD_DEVICE_CODE = `
  INSERT INTO add_device_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`;
export const SELECT_ADD_DEVICE_CODE = 'SELECT * FROM add_device_codes WHERE code_hash = ?';
/** Params: now, code hash, now. Changes one row only for an unused, unexpired code. */
export const CONSUME_ADD_DEVICE_CODE = `
  UPDATE add_device_codes SET used_at = ?
  WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?`;

// ---- pending challenges

export const INSERT_CHALLENGE =
  'INSERT INTO pending_challenges (id, ceremony, challenge, expires_at) VALUES (?, ?, ?, ?)';
export const SWEEP_CHALLENGES = 'DELETE FROM pending_challenges WHERE expires_at <= ?';
export const SELECT_CHALLENGE = 'SELECT * FROM pending_challenges WHERE id = ?';
/** Changes one row only for the first taker. */
export const DELETE_CHALLENGE = 'DELETE FROM pending_challenges WHERE id = ?';

// ---- pools and members

export const INSERT_POOL = `
  INSERT INTO pools (id, name, owner_id, is_home, max_text_bytes, max_file_bytes, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;
export const SELECT_POOL = 'SELECT * FROM pools WHERE id = ?';
export const UPDATE_POOL_NAME = 'UPDATE pools SET name = ? WHERE id = ? AND owner_id = ?';
export const UPDATE_POOL_SETTINGS =
  'UPDATE pools SET max_text_bytes = ?, max_file_bytes = ? WHERE id = ? AND owner_id = ?';
/** Members and invites go with the pool (ON DELETE CASCADE). */
export const DELETE_POOL = 'DELETE FROM pools WHERE id = ? AND owner_id = ?';

export const INSERT_MEMBER =
  'INSERT INTO pool_members (pool_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)';
export const SELECT_MEMBER = 'SELECT * FROM pool_members WHERE pool_id = ? AND user_id = ?';
export const DELETE_MEMBER = 'DELETE FROM pool_members WHERE pool_id = ? AND user_id = ?';

/** The three reads behind `listPoolsOfUser`; each takes the user id once. */
export const SELECT_POOLS_OF_USER = `
  SELECT p.* FROM pools p JOIN pool_members m ON m.pool_id = p.id
  WHERE m.user_id = ? ORDER BY p.created_at, p.id`;
export const SELECT_MEMBERS_OF_POOLS_OF_USER = `
  SELECT m.*, u.display_name FROM pool_members m JOIN users u ON u.id = m.user_id
  WHERE m.pool_id IN (SELECT pool_id FROM pool_members WHERE user_id = ?)
  ORDER BY m.joined_at, m.user_id`;
export const SELECT_DEVICES_OF_POOL_MATES_OF_USER = `
  SELECT d.* FROM devices d
  WHERE d.revoked_at IS NULL AND d.user_id IN (
    SELECT mate.user_id FROM pool_members mate
    WHERE mate.pool_id IN (SELECT pool_id FROM pool_members WHERE user_id = ?))
  ORDER BY d.created_at, d.id`;

// ---- invites

export const INSERT_INVITE = `
  INSERT INTO invites (id, token_hash, pool_id, created_by, created_at, expires_at, max_uses, uses)
  VALUES (?, ?, ?, ?, ?, ?, ?, 0)`;
export const SELECT_INVITE = 'SELECT * FROM invites WHERE id = ? AND pool_id = ?';
export const SELECT_INVITE_BY_TOKEN = 'SELECT * FROM invites WHERE token_hash = ?';
export const SELECT_INVITES_OF_POOL =
  'SELECT * FROM invites WHERE pool_id = ? ORDER BY created_at, id';
export const REVOKE_INVITE =
  'UPDATE invites SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND pool_id = ?';
/** Params: invite id, now. Counts one use only if the invite is live and has uses left. */
export const COUNT_INVITE_USE = `
  UPDATE invites SET uses = uses + 1
  WHERE id = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses`;
