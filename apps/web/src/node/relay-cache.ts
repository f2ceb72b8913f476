/**
 * A relay's cache of chunks it forwarded for others (FT4), in memory and small: a page has
 * little to spare, and a reload may drop it without harm (requesters ask elsewhere). Least
 * recently used chunks go first once `maxBytes` is reached; 0 keeps nothing.
 */
import type { RelayCache } from '@poolnet/engine';

export class MemoryRelayCache implements RelayCache {
  private readonly chunks = new Map<string, Uint8Array>();
  private size = 0;
  hits = 0;

  constructor(private maxBytes: number) {}

  get bytes(): number {
    return this.size;
  }

  resize(maxBytes: number): void {
    this.maxBytes = Math.max(0, maxBytes);
    this.evict();
  }

  has(fileId: string, index: number): boolean {
    return this.chunks.has(key(fileId, index));
  }

  get(fileId: string, index: number): Uint8Array | undefined {
    const k = key(fileId, index);
    const data = this.chunks.get(k);
    if (!data) return undefined;
    this.chunks.delete(k);
    this.chunks.set(k, data); // most recently used last
    this.hits++;
    return data;
  }

  put(fileId: string, index: number, data: Uint8Array): void {
    if (data.length > this.maxBytes) return;
    const k = key(fileId, index);
    const old = this.chunks.get(k);
    if (old) {
      this.size -= old.length;
      this.chunks.delete(k);
    }
    this.chunks.set(k, data.slice());
    this.size += data.length;
    this.evict();
  }

  private evict(): void {
    for (const [k, data] of this.chunks) {
      if (this.size <= this.maxBytes) return;
      this.chunks.delete(k);
      this.size -= data.length;
    }
  }
}

const key = (fileId: string, index: number): string => `${index}/${fileId}`;
