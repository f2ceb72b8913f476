/** Durations on the command line: `45s`, `30m`, `1h`, `7d`, `2w`, or sums like `1h30m`. */

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

const DURATION = /^(?:\d+[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

/** Whole seconds in `text`, or undefined when it is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!DURATION.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, count, unit] of trimmed.matchAll(PART)) {
    seconds += Number(count) * (UNIT_SECONDS[unit ?? ''] ?? 0);
  }
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** `seconds` in its two largest units: `45s`, `10m`, `1h 30m`, `7d`. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNIT_SECONDS[unit] ?? 1;
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.slice(0, 2).join(' ');
}
