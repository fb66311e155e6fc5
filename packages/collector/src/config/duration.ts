const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(?:\d+(?:ms|s|m|h|d))+$/;

/** Parses Fleet-style durations (`30s`, `10m`, `24h`, `1h30m`, `500ms`) to milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  if (!DURATION_RE.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total;
}

/** The shortest text for a duration, for status output (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (parts.length === 0) return `${rest}ms`;
  return parts.join('');
}
