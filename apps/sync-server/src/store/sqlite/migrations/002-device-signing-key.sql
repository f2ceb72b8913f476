-- The Ed25519 public key (32 bytes, base64url) a device signs pool messages with; the
-- certificate handed out at join certifies it. NULL until the device registers one.
ALTER TABLE devices ADD COLUMN signing_key TEXT;
