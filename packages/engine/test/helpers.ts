import { nodeCrypto } from '@poolnet/platform-node';
import { createTestPool, type TestPoolOptions } from '../src/testing/index.js';

/** Tests run the engine with node:crypto: the same Ed25519, ~30× faster than pure JS. */
export const crypto = nodeCrypto();

export const pool = (n: number, options: TestPoolOptions = {}) =>
  createTestPool(n, { crypto, ...options });
