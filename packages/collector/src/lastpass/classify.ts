/**
 * Classification of one HTTP answer (lastpass-api.md §3.4): status first, then the body. The
 * `Content-Type` header is never looked at (LastPass labels JSON `text/xml;charset=UTF-8`).
 */
import { LastPassError } from './errors';
import type { Redactor } from './redact';

export type Command = 'reporting' | 'getuserdata' | 'getsfdata' | 'getdetailedsfdata';

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Throws for 429, 5xx and any other non-200 status. */
export function classifyStatus(
  command: Command,
  status: number,
  retryAfter: string | undefined,
  body: string,
  nowMs: number,
  redactor: Redactor,
): void {
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
    const hint = retryAfterMs === undefined ? 'no Retry-After' : `Retry-After ${retryAfterMs} ms`;
    throw new LastPassError(
      'LASTPASS_RATE_LIMITED',
      `${command}: throttled by LastPass (HTTP 429, ${hint})`,
      {
        command,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    );
  }
  if (status >= 500 && status <= 599) {
    throw new LastPassError('LASTPASS_UNAVAILABLE', `${command}: LastPass server error (HTTP ${status})`, {
      command,
      status,
    });
  }
  if (status !== 200) {
    throw new LastPassError(
      'LASTPASS_HTTP_ERROR',
      `${command}: unexpected HTTP ${status}: ${JSON.stringify(redactor.excerpt(body))}`,
      { command, status },
    );
  }
}

const RESTRICTED_HINT =
  "the account policy 'Restrict Enterprise API to event reporting' is the likely cause; collect events only or ask an admin to lift it";

/**
 * Parses a 200 body to JSON. XML bodies are LastPass's error channel: `Authorization Error` means the
 * account number or provisioning hash is wrong (the same body for both).
 */
export function parseBody(command: Command, body: string, redactor: Redactor): unknown {
  const trimmed = body.trim();
  // LastPass's XML channel is a `<lastpass …/>` element (with or without a prolog); other markup after an
  // `<?xml` prolog (an XHTML maintenance or proxy page) is an HTML page, below.
  if (
    trimmed.startsWith('<lastpass') ||
    (trimmed.startsWith('<?xml') && /<lastpass\b/.test(trimmed.slice(0, 1024)))
  ) {
    const rc = /\brc\s*=\s*(?:"([^"]*)"|'([^']*)')/
      .exec(trimmed)
      ?.slice(1)
      .find((v) => v !== undefined);
    if (rc !== undefined && rc.trim().toLowerCase() === 'authorization error') {
      throw new LastPassError(
        'LASTPASS_AUTH_FAILED',
        `${command}: LastPass refused the credentials (Authorization Error): check the account number and the provisioning hash; the hash may have been regenerated in the Admin Console (Advanced → Enterprise API), which invalidates the old one`,
        { command },
      );
    }
    if (command !== 'reporting') {
      throw new LastPassError(
        'LASTPASS_COMMAND_RESTRICTED',
        `${command}: LastPass refused the command (rc ${JSON.stringify(redactor.excerpt(rc ?? trimmed))}); ${RESTRICTED_HINT}`,
        { command },
      );
    }
    throw new LastPassError(
      'LASTPASS_API_ERROR',
      `${command}: LastPass answered with an error (rc ${JSON.stringify(redactor.excerpt(rc ?? trimmed))})`,
      { command },
    );
  }
  try {
    return JSON.parse(trimmed) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    const atEnd =
      /end of JSON input|Unterminated string/i.test(message) ||
      (position !== undefined && Number(position) >= trimmed.length);
    if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && atEnd) {
      throw new LastPassError(
        'LASTPASS_TRUNCATED_RESPONSE',
        `${command}: the response ended early (${trimmed.length} bytes of incomplete JSON)`,
        { command },
      );
    }
    if (trimmed.startsWith('<')) {
      // Markup that is not LastPass's XML error channel: a maintenance, proxy or gateway page served
      // with HTTP 200. Transient by nature: retried like a 5xx.
      throw new LastPassError(
        'LASTPASS_HTML_RESPONSE',
        `${command}: LastPass answered an HTML page instead of JSON (HTTP 200; a maintenance or proxy page?): ${JSON.stringify(redactor.excerpt(trimmed))}`,
        { command },
      );
    }
    throw new LastPassError(
      'LASTPASS_UNEXPECTED_RESPONSE',
      `${command}: the response is not JSON: ${JSON.stringify(redactor.excerpt(trimmed))}`,
      { command },
    );
  }
}

/** `OK`/`success` → ok, `WARN` → warn, `FAIL`/`error` → fail; compared case-insensitively. */
export function statusKind(status: string): 'ok' | 'warn' | 'fail' | 'unknown' {
  const s = status.trim().toLowerCase();
  if (s === 'ok' || s === 'success') return 'ok';
  if (s === 'warn' || s === 'warning') return 'warn';
  if (s === 'fail' || s === 'failed' || s === 'failure' || s === 'error') return 'fail';
  return 'unknown';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An inventory body that is a refusal rather than data: a JSON scalar, or an object carrying `status`/`error`. */
export function assertNotRefusal(
  command: Command,
  parsed: unknown,
  redactor: Redactor,
  expectedKey?: string,
): void {
  const refusal =
    typeof parsed === 'string' ||
    typeof parsed === 'number' ||
    typeof parsed === 'boolean' ||
    parsed === null ||
    (isRecord(parsed) &&
      (expectedKey === undefined || !(expectedKey in parsed)) &&
      (typeof parsed.status === 'string' || 'error' in parsed || 'errors' in parsed));
  if (refusal) {
    throw new LastPassError(
      'LASTPASS_COMMAND_RESTRICTED',
      `${command}: LastPass refused the command (${JSON.stringify(redactor.excerpt(JSON.stringify(parsed)))}); ${RESTRICTED_HINT}`,
      { command },
    );
  }
}
