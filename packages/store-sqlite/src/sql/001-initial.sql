-- Schema 1 of a device's database (one file per data directory, `poolnet.db`).
--
-- Every table is STRICT, so a column holds its declared type or the write fails: a stored row
-- can be wrong, never shapeless. Times are INTEGER milliseconds since the epoch, passed in by
-- the caller (the store never reads the clock). Hashes are 32-byte BLOBs. Ids are the wire's
-- (visible ASCII, at most 64 characters), checked by the code before they get here.
--
-- Tables read in arrival order keep it in a column of their own (`seq`): an implicit rowid
-- may be renumbered by VACUUM.

-- The pools this device has joined. `last_read_message_id` is the newest message the user has
-- seen here (NULL: none yet); unread counts are the messages that arrived after it.
CREATE TABLE pools (
  pool_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  last_read_message_id TEXT
) STRICT;

-- The message log of every pool, append-only. `seq` is the local arrival order within the
-- pool (1, 2, 3…, assigned on insert as the pool's highest plus one), so what one pool's rows
-- hold can never move another pool's numbering; the sender's `created_at` is kept for
-- display and never used to order. `signed` is the encoded SignedPoolMessage exactly as
-- received, so it can be handed to another node and verified there. No foreign key to
-- `pools`: the engine may store a pool's history before the daemon records the join.
CREATE TABLE messages (
  pool_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq > 0),
  id TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  signed BLOB NOT NULL,
  -- Every page is a range of one pool's seqs.
  PRIMARY KEY (pool_id, seq),
  UNIQUE (pool_id, id)
) STRICT;

-- Files offered in a pool, as first seen (an offer never changes; a retraction only sets
-- `retracted`), numbered in arrival order per pool like messages. `local_path` is set only on
-- this device's own offers: the file stays where it is on disk and is read from there when a
-- peer asks for it.
CREATE TABLE file_offers (
  pool_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq > 0),
  file_id TEXT NOT NULL,
  origin_node TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
  chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
  offered_at INTEGER NOT NULL,
  retracted INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
  local_path TEXT,
  PRIMARY KEY (pool_id, seq),
  UNIQUE (pool_id, file_id)
) STRICT;

-- Downloads, one row per file of a pool: starting a file again after it finished or failed
-- reuses the row. `target_path` is where the verified file goes; `bytes_done` is progress for
-- display (the transfer layer knows which ranges it holds); `sha256` is the hash of the
-- finished file as verified; `failure` says why a failed one failed.
CREATE TABLE downloads (
  pool_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  target_path TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'paused', 'done', 'failed')),
  bytes_done INTEGER NOT NULL CHECK (bytes_done >= 0),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  sha256 BLOB CHECK (sha256 IS NULL OR length(sha256) = 32),
  failure TEXT,
  PRIMARY KEY (pool_id, file_id)
) STRICT;
-- History is read newest first.
CREATE INDEX downloads_by_start ON downloads (started_at);
-- Resuming after a restart reads the unfinished ones.
CREATE INDEX downloads_unfinished ON downloads (state) WHERE state IN ('active', 'paused');

-- Device settings as key/value pairs; the value is JSON. The code knows the keys, their types
-- and their defaults: a key that is absent reads as its default.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- File chunks this device holds, keyed by file and chunk index. Kept simple on purpose; a
-- later transfer change may move the bytes to files on disk and keep only an index here.
CREATE TABLE chunks (
  file_id TEXT NOT NULL,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  data BLOB NOT NULL,
  PRIMARY KEY (file_id, idx)
) STRICT;
