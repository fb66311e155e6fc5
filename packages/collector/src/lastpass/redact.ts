/**
 * Keeps the provisioning hash out of every message, trace and excerpt (issue #15 §3). Two rules:
 * - `text`: every whole occurrence of a secret is replaced — for the client's own messages, whose
 *   wording must stay readable;
 * - `excerpt`: for text that came from outside (a response body, which may echo the request): the
 *   whole body is redacted BEFORE it is cut, and in what is kept any run of `FRAGMENT_MIN` (8) or more
 *   characters that also occurs in a secret of at least that length is replaced too. So a prefix, a
 *   suffix or any fragment of the hash (one the server cut itself, or one left at the cut) never
 *   survives; a fragment shorter than 8 characters is not treated as secret.
 */

/** Shortest run of a secret's characters that an excerpt never shows. */
export const FRAGMENT_MIN = 8;
/** Length of an excerpt, in characters (before the `…` that marks a cut). */
export const EXCERPT_LENGTH = 120;
const MARK = '[REDACTED]';
/** Raw characters of a body looked at for an excerpt (the rest is only searched for whole secrets). */
const RAW_HEAD = 65_536;

export interface Redactor {
  /** Replaces every whole occurrence of a secret. */
  text(value: string): string;
  /** A short single-line excerpt of foreign text, redacted before it is cut and fragment-redacted. */
  excerpt(body: string): string;
}

/** Every `FRAGMENT_MIN`-character substring of each long-enough secret. */
function gramsOf(secrets: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const s of secrets)
    if (s.length >= FRAGMENT_MIN)
      for (let i = 0; i + FRAGMENT_MIN <= s.length; i++) grams.add(s.slice(i, i + FRAGMENT_MIN));
  return grams;
}

/** Replaces each maximal run of overlapping secret grams (≥ FRAGMENT_MIN characters) with the mark. */
function redactFragments(text: string, grams: ReadonlySet<string>): string {
  if (grams.size === 0 || text.length < FRAGMENT_MIN) return text;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i + FRAGMENT_MIN <= text.length) {
    if (!grams.has(text.slice(i, i + FRAGMENT_MIN))) {
      i++;
      continue;
    }
    let end = i + FRAGMENT_MIN;
    while (end < text.length && grams.has(text.slice(end - FRAGMENT_MIN + 1, end + 1))) end++;
    out += text.slice(copied, i) + MARK;
    copied = end;
    i = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function replaceWhole(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0 && out.includes(s)) out = out.split(s).join(MARK);
  return out;
}

/**
 * A redactor for the secrets `current()` returns (read at each use, so a secret that changes while the
 * process runs is covered; the grams are rebuilt only when the secrets change).
 */
export function createRedactor(current: () => readonly string[]): Redactor {
  let cachedKey = '';
  let cached: { secrets: readonly string[]; grams: Set<string> } = { secrets: [], grams: new Set() };
  const state = (): { secrets: readonly string[]; grams: Set<string> } => {
    const secrets = current().filter((s) => s.length > 0);
    const key = secrets.join('\u0000');
    if (key !== cachedKey) {
      cachedKey = key;
      cached = { secrets, grams: gramsOf(secrets) };
    }
    return cached;
  };
  return {
    text(value) {
      return replaceWhole(value, state().secrets);
    },
    excerpt(body) {
      const { secrets, grams } = state();
      // Whole secrets first, over the whole body (a cut can no longer split one), then fragments over a
      // head long enough to hold the excerpt, then the cut.
      const whole = replaceWhole(body, secrets);
      const flat = whole.slice(0, RAW_HEAD).replace(/\s+/g, ' ').trim();
      const longest = secrets.reduce((n, s) => Math.max(n, s.length), 0);
      const headLimit = EXCERPT_LENGTH + 2 * longest + MARK.length;
      const head = redactFragments(flat.slice(0, headLimit), grams);
      const cut = head.length > EXCERPT_LENGTH || flat.length > headLimit || whole.length > RAW_HEAD;
      return cut ? `${head.slice(0, EXCERPT_LENGTH)}…` : head;
    },
  };
}
