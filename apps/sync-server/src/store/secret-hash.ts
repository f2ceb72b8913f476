import { createHash } from 'node:crypto';

/**
 * The store keeps only hashes of bearer secrets (refresh tokens, add-device codes, invite
 * tokens), so a leaked database does not leak working credentials. The secrets are random
 * and long, so an unsalted SHA-256 is enough; lowercase hex keeps it readable in SQL.
 */
export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex');
