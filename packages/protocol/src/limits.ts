/**
 * Every size and count the wire enforces. Decoders reject what exceeds them and encoders
 * refuse to produce it, so both sides agree on what a valid frame is. Pools may set lower
 * limits of their own (text length, file size); these are the hard caps.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

// --- Frames ------------------------------------------------------------------------------

/** One data-channel frame (an encoded Package); the WebRTC data-channel message limit. */
export const MAX_PACKAGE_BYTES = 256 * KiB;
/** An encoded PoolMessage (SignedPoolMessage.body); it always travels inside a package. */
export const MAX_POOL_MESSAGE_BYTES = MAX_PACKAGE_BYTES;
/** One ClientFrame (node to sync server). Small: the server reads these from anyone. */
export const MAX_SIGNAL_FRAME_BYTES = 64 * KiB;
/**
 * One ServerFrame. Larger than a client frame because Joined lists the pool's members; the
 * list is split over MemberJoined frames beyond MAX_MEMBERS_PER_FRAME.
 */
export const MAX_SERVER_FRAME_BYTES = 1 * MiB;

// --- Identifiers and topology ----------------------------------------------------------

/** Any id on the wire (node, user, pool, file, message, folder, device), in characters. */
export const MAX_ID_LENGTH = 64;
export const MAX_NODE_ID_LENGTH = MAX_ID_LENGTH;
/** Panels from the center; 2^31 nodes fit in far fewer, so this only bounds garbage. */
export const MAX_PATH_DEPTH = 32;
/** Slots per panel, panels per cluster: the 3 of the topology. */
export const SLOTS_PER_PANEL = 3;
/** Highest slot (partner int) and lane number. */
export const MAX_SLOT = SLOTS_PER_PANEL - 1;
/** Entries of Position.cluster: 3 panels x 3 slots. */
export const CLUSTER_CELLS = 9;
/** Entries of Position.children: 2 child panels x 3 slots. */
export const CHILD_CELLS = 6;

// --- Node protocol ------------------------------------------------------------------------

/** Destinations of one directed package. */
export const MAX_DESTS = 64;
/**
 * Package.hops ceiling on the wire. Far above any real route (a few hops per tree level);
 * the engine's own, lower hop limit decides when to drop.
 */
export const MAX_HOPS = 255;
/** Hard cap on a chat message, UTF-8 bytes. */
export const MAX_TEXT_BYTES = 64 * KiB;
/** One file name (a single path segment), UTF-8 bytes; the usual file-system limit. */
export const MAX_FILE_NAME_BYTES = 255;
/** FileInfo.relative_path, UTF-8 bytes. */
export const MAX_RELATIVE_PATH_BYTES = 1024;
export const MAX_MIME_BYTES = 255;
export const MAX_DEVICE_NAME_BYTES = 128;
/** Files in one FileOffer, and offers in one NodeInfo. */
export const MAX_OFFER_FILES = 1000;
/** Ranges in one list (FileRequest.requested, one ChunkPromise). */
export const MAX_RANGES = 1024;
/** Relays that may add a promise to one request. */
export const MAX_PROMISES = 64;
/** MediaOffer.preview, bytes. */
export const MAX_PREVIEW_BYTES = 64 * KiB;
/** Messages in one LatestReply or ReconcileMessages; also LatestRequest.max_messages. */
export const MAX_LATEST_MESSAGES = 500;
/** Files in LatestReply.seeders. */
export const MAX_LATEST_SEEDERS = 1000;
/** Seeder ids listed for one file. */
export const MAX_SEEDERS_PER_FILE = 256;
/** Ids in one ReconcileDigest or ReconcileWant. */
export const MAX_RECONCILE_IDS = 1024;
/** Message ids in one end-to-end ack. */
export const MAX_ACK_IDS = 64;

// --- Files --------------------------------------------------------------------------------

/**
 * Chunk size a new offer uses: the largest the wire allows. Measured with bench:transfer (9
 * receivers, 256 MiB, TCP links, 2 cores): 24.0 s at 128 KiB against 35.7 s at 64 KiB — the
 * per-chunk costs (requests, framing, syscalls, promises) halve.
 */
export const DEFAULT_CHUNK_SIZE = 128 * KiB;
export const MIN_CHUNK_SIZE = 1 * KiB;
/** Largest chunk; leaves MAX_PACKAGE_BYTES - MAX_CHUNK_SIZE for the envelope and dests. */
export const MAX_CHUNK_SIZE = 128 * KiB;
/**
 * Largest size, chunk index and timestamp carried in a uint64: 2^53 - 1, so the value
 * converts to a JS number without loss.
 */
export const MAX_SAFE_UINT64 = BigInt(Number.MAX_SAFE_INTEGER);

// --- Signalling ---------------------------------------------------------------------------

export const MAX_ACCESS_TOKEN_BYTES = 4 * KiB;
/** One relayed SDP or ICE payload. */
export const MAX_SIGNAL_PAYLOAD_BYTES = 32 * KiB;
/** Members in Joined or one MemberJoined frame. */
export const MAX_MEMBERS_PER_FRAME = 2000;
/** Nodes promoted by one departure: at most one per level below it. */
export const MAX_PROMOTED = MAX_PATH_DEPTH;
export const MAX_ERROR_MESSAGE_BYTES = 1 * KiB;

// --- Cryptography -------------------------------------------------------------------------

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const SHA256_BYTES = 32;
