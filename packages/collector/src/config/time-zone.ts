import { isValidTimeZone } from '../time/account-zone';

const SEPARATORS = /([_-])/;

/** `new_york` → `New_York`, `port-au-prince` → `Port-Au-Prince` (tried, then checked). */
function titleCase(segment: string): string {
  return segment
    .split(SEPARATORS)
    .map((w) => (w === '_' || w === '-' ? w : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
}

/**
 * The tz name a mistyped one most likely meant, or undefined: zone names are case-sensitive for
 * Elasticsearch (java.time), so `us/eastern` is refused although Intl would take it. Tries each
 * segment as typed, upper-cased (`US`, `GMT`, `EST5EDT`) and title-cased, then ICU's own match.
 */
export function suggestTimeZone(name: string): string | undefined {
  const segments = name.trim().split('/');
  if (segments.length > 3 || segments.some((s) => s === '')) return undefined;
  let candidates = [''];
  for (const segment of segments) {
    // Upper case before title case: `US` and `GB` are the tz spellings (`Us/Eastern` passes ICU's check).
    const variants = [...new Set([segment, segment.toUpperCase(), titleCase(segment)])];
    candidates = candidates.flatMap((prefix) => variants.map((v) => (prefix === '' ? v : `${prefix}/${v}`)));
  }
  const cased = candidates.find((c) => c !== name && isValidTimeZone(c));
  if (cased !== undefined) return cased;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved !== name && isValidTimeZone(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/** The one-line complaint about a time zone name, with the likely intended name when there is one. */
export function timeZoneProblem(name: string): string {
  const suggestion = suggestTimeZone(name);
  return suggestion === undefined
    ? 'expected an IANA time zone such as America/New_York'
    : `expected an IANA time zone (names are case-sensitive): did you mean "${suggestion}"?`;
}
