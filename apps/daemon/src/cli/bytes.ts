/** Byte counts on the command line: `1536` → "1.5 KiB", and "16MiB" → 16777216. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? String(value) : value.toFixed(1)} ${UNITS[unit] ?? 'B'}`;
}

const SIZE = /^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const POWER: Readonly<Record<string, number>> = { b: 0, k: 1, m: 2, g: 3 };

/**
 * Bytes in `text`: a whole number, optionally followed by a unit (K, M or G, with or without
 * "B"/"iB", all powers of 1024). Undefined when it is not one.
 */
export function parseBytes(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const power = POWER[(match[2] ?? 'b').charAt(0).toLowerCase()] ?? 0;
  const bytes = Number(match[1]) * 1024 ** power;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
