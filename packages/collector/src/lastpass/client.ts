/**
 * The typed LastPass Enterprise API client: one method per read-only command, each returning ONE
 * page. Window splitting and paging strategy belong to the collector's streams. Records are returned
 * exactly as received, except that `password` keys (e.g. `attribs.password`) are stripped from users.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { assertNotRefusal, excerpt, statusKind, type Command } from './classify';
import { systemClock, type Clock } from './clock';
import { LastPassError } from './errors';
import { fixedHash, type ProvisioningHashSource } from './hash-source';
import { dataMemberTexts } from './raw-records';
import {
  WALL_CLOCK_PATTERN,
  isReportingResponse,
  reportingResponseSchema,
  sharedFolderResponseSchema,
  userDataResponseSchema,
  type RawEvent,
  type RawSharedFolder,
  type RawUser,
  type ReportingResponse,
} from './schemas';
import type { RequestTracer } from './tracer';
import { Transport, type Logger, type RetryOptions } from './transport';

export const DEFAULT_LASTPASS_URL = 'https://lastpass.com/enterpriseapi.php';

export interface LastPassClientOptions {
  url: string;
  /** The account number ("CID"), digits. */
  accountNumber: string;
  /** The API secret (or where to read it again). Never logged, traced or put in an error message. */
  provisioningHash: string | ProvisioningHashSource;
  /** Sent as `apiuser`; echoed by LastPass into the self-audit events. */
  apiUser: string;
  dispatcher?: Dispatcher;
  clock?: Clock;
  retry?: RetryOptions;
  /** Per-attempt timeout (headers and body). Default 120,000 ms; 0 disables it. */
  timeoutMs?: number;
  /** Minimum interval between the starts of two HTTP requests. Default 1,000 ms. */
  minIntervalMs?: number;
  tracer?: RequestTracer;
  logger?: Logger;
  /** Shutdown: aborts backoff and rate-limit waits and requests in flight (LASTPASS_ABORTED). */
  signal?: AbortSignal;
}

export interface ReportingRequest {
  /** `YYYY-MM-DD HH:mm:ss` wall clock in the ACCOUNT time zone (the client does not convert). */
  from: string;
  to: string;
  /** The raw `next` of the previous page, passed back unchanged as `data.next`. */
  next?: string | number;
  search?: string;
  /** A username; omitted means all users (`"allusers"`). */
  user?: string;
  /** `'1'` → only admin events. */
  admin?: string;
}

export interface ReportingPage {
  /** The `status` string as received (`OK`, compared case-insensitively). */
  status: string;
  /** Records exactly as received, in response order (`EventN` numeric suffix). */
  events: RawEvent[];
  /**
   * The JSON text of each record as LastPass sent it (`texts[i]` is `events[i]`), when the answer is in
   * the plain shape `dataMemberTexts` vouches for; absent otherwise (then serialize the records).
   */
  texts?: string[];
  /** `next` exactly as received (number or string); `null` when absent or null. */
  next: string | number | null;
  apiCalls: number;
}

export interface UserDataPage {
  /** User id → record (password keys stripped). */
  users: Record<string, RawUser>;
  groups: Record<string, string[]>;
  invited: string[];
  total: number | null;
  count: number | null;
  apiCalls: number;
}

export interface SharedFolderPage {
  /** Folder id → folder record as received. */
  folders: Record<string, RawSharedFolder>;
  /** Number of top-level keys (the page-full test of lastpass-api.md §5 counts these). */
  count: number;
  apiCalls: number;
}
export type DetailedSharedFolderPage = SharedFolderPage;

export interface LastPassClient {
  reporting(req: ReportingRequest): Promise<ReportingPage>;
  getUserData(req: { pageSize: number; pageIndex: number }): Promise<UserDataPage>;
  getDetailedSharedFolderData(req?: {
    pageSize?: number;
    pageIndex?: number;
  }): Promise<DetailedSharedFolderPage>;
  getSharedFolderData(): Promise<SharedFolderPage>;
  /** HTTP requests sent by this client so far (retries included). */
  readonly apiCalls: number;
}

const optionsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  accountNumber: z.string().regex(/^\d{1,15}$/, 'expected the numeric account number (CID)'),
  provisioningHash: z.string().trim().min(1, 'expected a non-empty provisioning hash'),
  apiUser: z.string().min(1, 'expected a non-empty label'),
  timeoutMs: z.number().int('expected an integer').nonnegative('expected ≥ 0'),
  minIntervalMs: z.number().int('expected an integer').nonnegative('expected ≥ 0'),
  retry: z.object({
    maxAttempts: z.number().int().min(1, 'expected ≥ 1'),
    baseDelayMs: z.number().nonnegative(),
    maxDelayMs: z.number().nonnegative(),
    maxElapsedMs: z.number().nonnegative(),
  }),
});

function invalid(field: string, message: string): LastPassError {
  return new LastPassError('LASTPASS_INVALID_REQUEST', `${field}: ${message}`);
}

/** Deletes every `password` key, at any depth (`attribs.password` in practice). */
function stripPasswords(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) stripPasswords(item);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === 'password') delete record[key];
      else stripPasswords(record[key]);
    }
  }
}

function toCount(value: string | number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The numeric suffix of `EventN` (`Number` of the trailing ASCII digits); keys without one sort last. */
export function eventKeyOrder(key: string): number {
  let start = key.length;
  while (start > 0) {
    const c = key.charCodeAt(start - 1);
    if (c < 48 || c > 57) break;
    start--;
  }
  const digits = key.length - start;
  if (digits === 0) return Number.MAX_SAFE_INTEGER;
  if (digits > 15) return Number(key.slice(start));
  let n = 0;
  for (let i = start; i < key.length; i++) n = n * 10 + (key.charCodeAt(i) - 48);
  return n;
}

/**
 * The records of `data` in `EventN` order (a stable sort by the numeric suffix). LastPass sends them in
 * that order already: then they are taken as they come, with no entry pairs, no sort and no copies.
 */
/**
 * The records of `data` in `EventN` order (a stable sort by the numeric suffix), and the keys in
 * enumeration order when that already was the `EventN` order (`undefined` when the records had to be
 * sorted): then record i is member i of `data` as sent. LastPass sends them in that order already: then
 * they are taken as they come, with no entry pairs, no sort and no copies.
 */
export function orderedRecords(data: Record<string, RawEvent> | [] | undefined): {
  events: RawEvent[];
  keys: string[] | undefined;
} {
  if (data === undefined || Array.isArray(data)) return { events: [], keys: [] };
  const events: RawEvent[] = [];
  const keys: string[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  let sorted = true;
  for (const key in data) {
    const order = eventKeyOrder(key);
    if (order < previous) sorted = false;
    previous = order;
    events.push(data[key] as RawEvent);
    keys.push(key);
  }
  if (sorted) return { events, keys };
  const reordered = Object.entries(data)
    .map(([key, event]) => ({ order: eventKeyOrder(key), event }))
    .sort((a, b) => a.order - b.order)
    .map(({ event }) => event);
  return { events: reordered, keys: undefined };
}

export function createLastPassClient(options: LastPassClientOptions): LastPassClient {
  const hashSource =
    typeof options.provisioningHash === 'string'
      ? fixedHash(options.provisioningHash)
      : options.provisioningHash;
  const resolved = {
    url: options.url,
    accountNumber: options.accountNumber,
    provisioningHash: hashSource.current(),
    apiUser: options.apiUser,
    timeoutMs: options.timeoutMs ?? 120_000,
    minIntervalMs: options.minIntervalMs ?? 1_000,
    retry: {
      maxAttempts: options.retry?.maxAttempts ?? 5,
      baseDelayMs: options.retry?.baseDelayMs ?? 1_000,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
      maxElapsedMs: options.retry?.maxElapsedMs ?? 120_000,
    },
  };
  const checked = optionsSchema.safeParse(resolved);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw invalid(issue?.path.join('.') || 'options', issue?.message ?? 'invalid');
  }
  // Every hash this client has sent is redacted, the refused old one too after a re-read.
  const secrets = new Set([hashSource.current()]);
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[REDACTED]');
    return out;
  };
  const transport = new Transport({
    url: resolved.url,
    dispatcher: options.dispatcher,
    clock: options.clock ?? systemClock,
    retry: resolved.retry,
    timeoutMs: resolved.timeoutMs,
    minIntervalMs: resolved.minIntervalMs,
    tracer: options.tracer,
    logger: options.logger,
    signal: options.signal,
    redact,
  });
  const cid = Number(resolved.accountNumber);

  function envelope(
    cmd: Command,
    data: unknown,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return { cid, provhash: hashSource.current(), apiuser: resolved.apiUser, cmd, ...extra, data };
  }

  /** Sends once; when LastPass refuses the hash and its source holds a new one, sends again with it. */
  async function send(command: Command, body: () => Record<string, unknown>) {
    try {
      return await transport.send(command, body());
    } catch (error) {
      if (!(error instanceof LastPassError && error.code === 'LASTPASS_AUTH_FAILED') || !hashSource.refresh())
        throw error;
      secrets.add(hashSource.current());
      options.logger?.warn(
        { command, code: 'LASTPASS_HASH_RELOADED' },
        `${command}: LastPass refused the provisioning hash; its file holds a new one: retrying with it`,
      );
      const again = await transport.send(command, body());
      return { ...again, apiCalls: again.apiCalls + 1 };
    }
  }

  function shapeError(command: Command, parsed: unknown, error: z.ZodError): LastPassError {
    const issue = error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
    return new LastPassError(
      'LASTPASS_UNEXPECTED_RESPONSE',
      redact(
        `${command}: unexpected response shape at ${where}: ${issue?.message ?? 'invalid'}; body starts ${JSON.stringify(excerpt(JSON.stringify(parsed) ?? ''))}`,
      ),
      { command },
    );
  }

  // Each response is checked with its zod schema, then read from the parsed JSON itself: zod's output
  // reorders object keys (declared keys first), and records must reach the collector exactly as received.
  async function folders(
    command: 'getsfdata' | 'getdetailedsfdata',
    data: unknown,
  ): Promise<SharedFolderPage> {
    const { parsed, apiCalls } = await send(command, () => envelope(command, data));
    assertNotRefusal(command, parsed, redact);
    const result = sharedFolderResponseSchema.safeParse(parsed);
    if (!result.success) throw shapeError(command, parsed, result.error);
    const map = Array.isArray(parsed) ? {} : (parsed as Record<string, RawSharedFolder>);
    return { folders: map, count: Object.keys(map).length, apiCalls };
  }

  function pageParams(pageSize: number | undefined, pageIndex: number | undefined): void {
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
      throw invalid('pageSize', `expected a positive integer, got ${pageSize}`);
    }
    if (pageIndex !== undefined && !(Number.isInteger(pageIndex) && pageIndex >= 0)) {
      throw invalid('pageIndex', `expected an integer ≥ 0, got ${pageIndex}`);
    }
  }

  return {
    get apiCalls() {
      return transport.totalCalls;
    },

    async reporting(req) {
      for (const key of ['from', 'to'] as const) {
        if (!WALL_CLOCK_PATTERN.test(req[key])) {
          throw invalid(
            key,
            `expected "YYYY-MM-DD HH:mm:ss" in the account time zone, got ${JSON.stringify(req[key])}`,
          );
        }
      }
      const data: Record<string, unknown> = { from: req.from, to: req.to };
      if (req.next !== undefined) data.next = req.next;
      if (req.search !== undefined) data.search = req.search;
      if (req.user !== undefined) data.user = req.user;
      if (req.admin !== undefined) data.admin = req.admin;
      const { parsed, text, apiCalls } = await send('reporting', () =>
        envelope('reporting', data, { user: req.user ?? 'allusers' }),
      );
      const status =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>).status
          : undefined;
      if (typeof status === 'string' && statusKind(status) !== 'ok') {
        throw new LastPassError(
          'LASTPASS_REPORT_FAILED',
          redact(
            `reporting: status ${JSON.stringify(status)}${statusKind(status) === 'unknown' ? ' (unknown status value)' : ''} for ${req.from} – ${req.to}: ${JSON.stringify(excerpt(JSON.stringify(parsed)))}`,
          ),
          { command: 'reporting' },
        );
      }
      // The allocation-free guard accepts only what the schema accepts; whatever it does not accept
      // goes to the schema, which decides (and names the failing path). Both read `parsed` itself.
      if (!isReportingResponse(parsed)) {
        const result = reportingResponseSchema.safeParse(parsed);
        if (!result.success) throw shapeError('reporting', parsed, result.error);
        // zod's record parsing passes over a `__proto__` key unchecked: such an entry is never shipped.
        const data = (parsed as { data?: unknown }).data;
        if (typeof data === 'object' && data !== null && Object.hasOwn(data, '__proto__'))
          throw new LastPassError(
            'LASTPASS_UNEXPECTED_RESPONSE',
            'reporting: unexpected response shape at data.__proto__: expected an EventN key',
            { command: 'reporting' },
          );
      }
      const body = parsed as ReportingResponse;
      const { events, keys } = orderedRecords(body.data);
      const texts = keys === undefined ? undefined : dataMemberTexts(text, keys);
      return {
        status: body.status,
        events,
        ...(texts === undefined ? {} : { texts }),
        next: body.next ?? null,
        apiCalls,
      };
    },

    async getUserData(req) {
      pageParams(req.pageSize, req.pageIndex);
      const { parsed, apiCalls } = await send('getuserdata', () =>
        envelope('getuserdata', { pagesize: req.pageSize, pageindex: req.pageIndex }),
      );
      assertNotRefusal('getuserdata', parsed, redact, 'Users');
      const result = userDataResponseSchema.safeParse(parsed);
      if (!result.success) throw shapeError('getuserdata', parsed, result.error);
      const body = parsed as { Users: Record<string, RawUser> | []; Groups?: Record<string, string[]> | [] };
      const users = Array.isArray(body.Users) ? {} : body.Users;
      for (const user of Object.values(users)) stripPasswords(user);
      const groups = body.Groups === undefined || Array.isArray(body.Groups) ? {} : body.Groups;
      return {
        users,
        groups,
        invited: result.data.invited ?? [],
        total: toCount(result.data.total),
        count: toCount(result.data.count),
        apiCalls,
      };
    },

    async getDetailedSharedFolderData(req = {}) {
      pageParams(req.pageSize, req.pageIndex);
      if (req.pageSize === undefined) return folders('getdetailedsfdata', 'all');
      return folders('getdetailedsfdata', {
        data: 'all',
        pagesize: String(req.pageSize),
        pageindex: String(req.pageIndex ?? 0),
      });
    },

    getSharedFolderData() {
      return folders('getsfdata', 'all');
    },
  };
}
