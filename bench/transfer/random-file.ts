/** The file every run transfers: random bytes streamed to disk, and streamed SHA-256. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';

const BLOCK = 4 * 2 ** 20;

/** Writes `size` random bytes to `path` without holding more than one block in memory. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  try {
    for (let left = size; left > 0; left -= BLOCK) {
      if (!out.write(randomBytes(Math.min(BLOCK, left)))) await once(out, 'drain');
    }
  } finally {
    out.end();
  }
  await once(out, 'close');
}

/** The hex SHA-256 of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
