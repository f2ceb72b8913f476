/**
 * Randomness enters the engine only through this port: a seeded generator makes the simulator
 * and fuzz tests reproducible (they print their seed). Not for key material: keys come from
 * the `Crypto` port.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A URL-safe random id of `length` characters. */
  id(length?: number): string;
}
