/**
 * The typed LastPass Enterprise API client: one method per read-only command, each returning ONE
 * page. Window splitting and paging strategy belong to the collector's streams. Records are returned
 * exactly as received, except that `password` keys (e.g. `attribs.password`) are stripped from users.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { assertNotRefusal, statusKind, type Command } from './classify';
import { systemClock, type Clock } from './clock';
import { LastPassError } from './errors';
import { fixedHash, type ProvisioningHashSource } from './hash-source';
import { DEFAULT_BACKFILL_INTERVAL_MS, Pacer } from './pacer';
import { dataMemberTexts } from './raw-records';
import { createRedactor } from './redact';
import {
  WALL_CLOCK_PATTERN,
  isRawEvent,
  isReportingResponse,
  rawEventSchema,
  reportingEnvelopeSchema,
  sharedFolderEnvelopeSchema,
  sharedFolderOnlySchema,
  rawFolderMemberSchema,
  rawUserSchema,
  sharedFolderResponseSchema,
  userDataEnvelopeSchema,
  userDataResponseSchema,
  type RawEvent,
  type RawFolderMember,
  type RawSharedFolder,
  type RawUser,
  type ReportingResponse,
} from './schemas';
import type { RequestTracer } from './tracer';
import {
  Transport,
  type HasRecords,
  type Logger,
  type RetryOptions,
  type TransportResult,
} from './transport';

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
  /**
   * The interval instead after an answer that carried records (a backfill or snapshot under way):
   * default 100 ms, never more than `minIntervalMs`. A 429 slows both down (see `Pacer`).
   */
  backfillIntervalMs?: number;
  /** Answers larger than this are refused (LASTPASS_RESPONSE_TOO_LARGE). Default 64 MiB. */
  maxResponseBytes?: number;
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
  /** Records that failed validation (absent when every record passed): not in `events`. */
  rejected?: RejectedEvent[];
  /** Operator notes about the answer (see `AnswerNotes`); absent when there is none. */
  notes?: AnswerNotes;
}

/**
 * Operator notes about one answer, for the stream's health (shown by `status`):
 * `last_invalid_utf8` — the answer was not valid UTF-8 (when, which command, the first bad byte's offset).
 */
export type AnswerNotes = Record<string, string>;

export interface UserDataPage {
  /** User id → record (password keys stripped). */
  users: Record<string, RawUser>;
  groups: Record<string, string[]>;
  invited: string[];
  total: number | null;
  count: number | null;
  apiCalls: number;
  /** Users that failed validation (absent when every user passed): not in `users`. */
  rejected?: RejectedRecord[];
  notes?: AnswerNotes;
}

export interface SharedFolderPage {
  /**
   * Folder id → folder record as received; a folder with members that failed validation has `users`
   * without them (a copy: the other keys as received, in order).
   */
  folders: Record<string, RawSharedFolder>;
  /** Number of top-level keys, rejected folders included (the page-full test of lastpass-api.md §5 counts these). */
  count: number;
  apiCalls: number;
  /**
   * Folders (no `member`) and folder members (`member` set, the folder is in `folders`) that failed
   * validation; absent when everything passed.
   */
  rejected?: RejectedRecord[];
  notes?: AnswerNotes;
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

/**
 * One record of an answer that failed validation: left out of the page, for the dead-letter file
 * (issue #15 §6). The same for every command: an `EventN` record, a user, a shared folder or one member.
 */
export interface RejectedRecord {
  /** Its key in the answer: `Event17` (reporting), the user id (getuserdata), the folder id (folders). */
  key: string;
  /** A folder member: its index in the folder's `users` (the folder itself passed: it is in the page). */
  member?: number;
  /** The record as received (any JSON value), `password` keys stripped from users, the hash redacted. */
  record: unknown;
  /** One line: where the record is in the answer, the field and what was expected. */
  reason: string;
}
/** A rejected `EventN` record (`key` = `Event17`). */
export type RejectedEvent = RejectedRecord;

const optionsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  accountNumber: z.string().regex(/^\d{1,15}$/, 'expected the numeric account number (CID)'),
  provisioningHash: z.string().trim().min(1, 'expected a non-empty provisioning hash'),
  apiUser: z.string().min(1, 'expected a non-empty label'),
  timeoutMs: z.number().int('expected an integer').nonnegative('expected ≥ 0'),
  minIntervalMs: z.number().int('expected an integer').nonnegative('expected ≥ 0'),
  backfillIntervalMs: z.number().int('expected an integer').nonnegative('expected ≥ 0'),
  maxResponseBytes: z.number().int('expected an integer').positive('expected > 0'),
  retry: z.object({
    maxAttempts: z.number().int().min(1, 'expected ≥ 1'),
    baseDelayMs: z.number().nonnegative(),
    maxDelayMs: z.number().nonnegative(),
    maxElapsedMs: z.number().nonnegative(),
  }),
});

/** Default `maxResponseBytes`: 64 MiB (a 10,000-event page is about 3 MB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Does a map hold at least one member (without counting them)? */
function hasMembers(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

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
    backfillIntervalMs: options.backfillIntervalMs ?? DEFAULT_BACKFILL_INTERVAL_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
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
  const redactor = createRedactor(() => [...secrets]);
  const transport = new Transport({
    url: resolved.url,
    dispatcher: options.dispatcher,
    clock: options.clock ?? systemClock,
    retry: resolved.retry,
    timeoutMs: resolved.timeoutMs,
    pacer: new Pacer({
      intervalMs: resolved.minIntervalMs,
      backfillIntervalMs: Math.min(resolved.backfillIntervalMs, resolved.minIntervalMs),
    }),
    maxResponseBytes: resolved.maxResponseBytes,
    tracer: options.tracer,
    logger: options.logger,
    signal: options.signal,
    redactor,
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
  async function send(command: Command, body: () => Record<string, unknown>, hasRecords?: HasRecords) {
    try {
      return await transport.send(command, body(), hasRecords);
    } catch (error) {
      if (!(error instanceof LastPassError && error.code === 'LASTPASS_AUTH_FAILED') || !hashSource.refresh())
        throw error;
      secrets.add(hashSource.current());
      options.logger?.warn(
        { command, code: 'LASTPASS_HASH_RELOADED' },
        `${command}: LastPass refused the provisioning hash; its file holds a new one: retrying with it`,
      );
      try {
        const again = await transport.send(command, body(), hasRecords);
        return { ...again, apiCalls: again.apiCalls + 1 };
      } catch (retried) {
        // the refused request counts too (summary counts)
        if (retried instanceof LastPassError && retried.attempts !== undefined) retried.attempts += 1;
        throw retried;
      }
    }
  }

  function shapeError(command: Command, parsed: unknown, error: z.ZodError): LastPassError {
    const issue = error.issues[0];
    // the path names keys of the answer: foreign text, which may echo the request (and so the hash)
    const where =
      issue === undefined || issue.path.length === 0 ? '(root)' : redactor.excerpt(issue.path.join('.'));
    return new LastPassError(
      'LASTPASS_UNEXPECTED_RESPONSE',
      redactor.text(
        `${command}: unexpected response shape at ${where}: ${issue?.message ?? 'invalid'}; body starts ${JSON.stringify(redactor.excerpt(JSON.stringify(parsed) ?? ''))}`,
      ),
      { command },
    );
  }

  /**
   * The records of one answer that the page check refused, checked one by one (issue #15 §6): a record
   * that fails its schema is set aside with its reason instead of failing the page. More than half of an
   * answer's records failing (and more than 10) looks like a change of format, not a bad record: the
   * answer fails instead, so a cursor never races through a history (nor a snapshot through a directory)
   * that is all dead letters. One mechanism for every command: `reporting`, users, folders and members.
   */
  function recordCheck(command: Command) {
    const rejected: RejectedRecord[] = [];
    /** The rejected values themselves (`record` is a redacted copy), to leave them out of a page. */
    const originals = new Set<unknown>();
    let total = 0;
    const setAside = (
      at: { key: string; member?: number },
      record: unknown,
      path: readonly PropertyKey[],
      message: string,
    ): void => {
      originals.add(record);
      rejected.push({
        ...at,
        record: redactedValue(record),
        // the path names keys of the answer: foreign text (it may echo the request), redacted like an excerpt
        reason: redactor.text(`${path.map((p) => redactor.excerpt(String(p))).join('.')}: ${message}`),
      });
    };
    return {
      originals,
      /** A record that passed a cheaper check (it still counts toward the answer's total). */
      passed(): void {
        total++;
      },
      /** Checks `record`; a failure is set aside, named by `path` (where it is in the answer) and its field. */
      check(
        schema: z.ZodType,
        record: unknown,
        at: { key: string; member?: number },
        path: readonly PropertyKey[],
      ): boolean {
        total++;
        // zod's record parsing passes over a `__proto__` key unchecked: such an entry is never shipped.
        if (at.key === '__proto__' && at.member === undefined) {
          setAside(at, record, path, 'expected a record key, not __proto__');
          return false;
        }
        const result = schema.safeParse(record);
        if (result.success) return true;
        const issue = result.error.issues[0];
        setAside(at, record, [...path, ...(issue?.path ?? [])], issue?.message ?? 'invalid');
        return false;
      },
      /** The records set aside (empty when none): throws when most of the answer's records failed. */
      done(): RejectedRecord[] {
        if (rejected.length > 10 && rejected.length * 2 > total) {
          const first = rejected[0];
          throw new LastPassError(
            'LASTPASS_UNEXPECTED_RESPONSE',
            `${command}: ${rejected.length} of ${total} records fail validation (first: ${first?.reason ?? ''}): the answer's format looks changed; nothing was delivered or dead-lettered`,
            { command },
          );
        }
        return rejected;
      },
    };
  }

  /** A copy of `value` with every whole occurrence of the hash redacted in its strings and keys. */
  function redactedValue(value: unknown): unknown {
    if (typeof value === 'string') return redactor.text(value);
    if (Array.isArray(value)) return value.map(redactedValue);
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      Object.defineProperty(out, redactor.text(key), {
        value: redactedValue(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }

  /** The envelope (records unchecked) must pass its schema: a bad one fails the page, naming the path. */
  function checkedEnvelope(command: Command, schema: z.ZodType, parsed: unknown): void {
    const result = schema.safeParse(parsed);
    if (!result.success) throw shapeError(command, parsed, result.error);
  }

  /** The answer's notes: invalid UTF-8 (read as U+FFFD) is said in the stream's health, not only logged. */
  function answerNotes(command: Command, answer: TransportResult): { notes?: AnswerNotes } {
    const bad = answer.invalidUtf8;
    if (bad === undefined) return {};
    const at = new Date((options.clock ?? systemClock).now()).toISOString();
    return {
      notes: {
        last_invalid_utf8: `${at}: a ${command} answer was not valid UTF-8 (first invalid byte at offset ${bad.offset} of ${bad.bytes}); the invalid bytes were read as U+FFFD`,
      },
    };
  }

  // Each response is checked with its zod schema, then read from the parsed JSON itself: zod's output
  // reorders object keys (declared keys first), and records must reach the collector exactly as received.
  async function folders(
    command: 'getsfdata' | 'getdetailedsfdata',
    data: unknown,
  ): Promise<SharedFolderPage> {
    const answer = await send(command, () => envelope(command, data), hasMembers);
    const { parsed, apiCalls } = answer;
    assertNotRefusal(command, parsed, redactor);
    const map = isObject(parsed) ? (parsed as Record<string, RawSharedFolder>) : {};
    const count = Object.keys(map).length;
    const notes = answerNotes(command, answer);
    if (sharedFolderResponseSchema.safeParse(parsed).success && !Object.hasOwn(map, '__proto__'))
      return { folders: map, count, apiCalls, ...notes };
    const { folders: kept, rejected } = checkedFolders(command, parsed, map);
    return {
      folders: kept,
      count,
      apiCalls,
      ...(rejected.length === 0 ? {} : { rejected }),
      ...notes,
    };
  }

  /**
   * The slow path of a folders answer: each folder is checked without its members, then each member on
   * its own. A bad folder is set aside whole; a bad member alone (its folder stays, without it).
   */
  function checkedFolders(
    command: Command,
    parsed: unknown,
    map: Record<string, unknown>,
  ): { folders: Record<string, RawSharedFolder>; rejected: RejectedRecord[] } {
    checkedEnvelope(command, sharedFolderEnvelopeSchema, parsed);
    const check = recordCheck(command);
    const kept: Record<string, RawSharedFolder> = {};
    for (const key of Object.keys(map)) {
      const folder = map[key];
      if (!check.check(sharedFolderOnlySchema, folder, { key }, [key])) continue;
      const record = folder as RawSharedFolder;
      const members: unknown[] = record.users ?? [];
      const good = members.filter((member, i) =>
        check.check(rawFolderMemberSchema, member, { key, member: i }, [key, 'users', i]),
      );
      kept[key] = good.length === members.length ? record : { ...record, users: good as RawFolderMember[] };
    }
    return { folders: kept, rejected: check.done() };
  }

  /** The slow path of `getuserdata`: the envelope must pass, then each user is checked on its own. */
  function checkedUsers(parsed: unknown, users: Record<string, unknown>) {
    checkedEnvelope('getuserdata', userDataEnvelopeSchema, parsed);
    const check = recordCheck('getuserdata');
    const kept: Record<string, RawUser> = {};
    for (const key of Object.keys(users)) {
      const user = users[key];
      stripPasswords(user);
      if (check.check(rawUserSchema, user, { key }, ['Users', key])) kept[key] = user as RawUser;
    }
    return { users: kept, rejected: check.done() };
  }

  /**
   * The slow path of `reporting` (the page guard said no): the envelope must pass its schema; each record
   * that fails `rawEventSchema` is set aside with its reason (`recordCheck`).
   */
  function rejectedRecords(parsed: unknown): { rejected: RejectedEvent[]; originals: Set<unknown> } {
    checkedEnvelope('reporting', reportingEnvelopeSchema, parsed);
    const data = (parsed as { data?: unknown }).data;
    // zod's record parsing passes over a `__proto__` key unchecked: such an entry is never shipped.
    if (typeof data === 'object' && data !== null && Object.hasOwn(data, '__proto__'))
      throw new LastPassError(
        'LASTPASS_UNEXPECTED_RESPONSE',
        'reporting: unexpected response shape at data.__proto__: expected an EventN key',
        { command: 'reporting' },
      );
    const check = recordCheck('reporting');
    if (!isObject(data)) return { rejected: [], originals: check.originals };
    for (const key of Object.keys(data)) {
      const record = data[key];
      if (isRawEvent(record)) check.passed();
      else check.check(rawEventSchema, record, { key }, [key]);
    }
    return { rejected: check.done(), originals: check.originals };
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
      const answer = await send(
        'reporting',
        () => envelope('reporting', data, { user: req.user ?? 'allusers' }),
        (received) => hasMembers(isObject(received) ? received.data : undefined),
      );
      const { parsed, text, apiCalls } = answer;
      const status =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>).status
          : undefined;
      if (typeof status === 'string' && statusKind(status) !== 'ok') {
        throw new LastPassError(
          'LASTPASS_REPORT_FAILED',
          `reporting: status ${JSON.stringify(redactor.excerpt(status))}${statusKind(status) === 'unknown' ? ' (unknown status value)' : ''} for ${req.from} – ${req.to}: ${JSON.stringify(redactor.excerpt(JSON.stringify(parsed)))}`,
          { command: 'reporting' },
        );
      }
      // The allocation-free guard accepts only what the schema accepts; whatever it does not accept
      // goes to the schemas: the envelope first (a bad one fails the page, naming the path), then each
      // record on its own (a bad one is set aside with its reason). Both read `parsed` itself.
      const checked = isReportingResponse(parsed) ? undefined : rejectedRecords(parsed);
      const rejected = checked?.rejected;
      const body = parsed as ReportingResponse;
      const ordered = orderedRecords(body.data);
      let events = ordered.events;
      let texts = ordered.keys === undefined ? undefined : dataMemberTexts(text, ordered.keys);
      if (rejected !== undefined && rejected.length > 0) {
        const bad = checked?.originals ?? new Set();
        const kept = events.map((e) => !bad.has(e));
        events = events.filter((_, i) => kept[i]);
        texts = texts?.filter((_, i) => kept[i]);
      }
      return {
        status: body.status,
        events,
        ...(texts === undefined ? {} : { texts }),
        next: body.next ?? null,
        apiCalls,
        ...(rejected === undefined || rejected.length === 0 ? {} : { rejected }),
        ...answerNotes('reporting', answer),
      };
    },

    async getUserData(req) {
      pageParams(req.pageSize, req.pageIndex);
      const answer = await send(
        'getuserdata',
        () => envelope('getuserdata', { pagesize: req.pageSize, pageindex: req.pageIndex }),
        (received) => hasMembers(isObject(received) ? received.Users : undefined),
      );
      const { parsed, apiCalls } = answer;
      assertNotRefusal('getuserdata', parsed, redactor, 'Users');
      const body = parsed as {
        Users: Record<string, RawUser> | [];
        Groups?: Record<string, string[]> | [];
        invited?: string[] | null;
        total?: string | number | null;
        count?: string | number | null;
      };
      let users = isObject(parsed) && isObject(body.Users) ? body.Users : {};
      let rejected: RejectedRecord[] = [];
      // The page check; only when it says no is each user checked on its own (a bad one is set aside).
      if (userDataResponseSchema.safeParse(parsed).success && !Object.hasOwn(users, '__proto__')) {
        for (const user of Object.values(users)) stripPasswords(user);
      } else {
        ({ users, rejected } = checkedUsers(parsed, users));
      }
      const groups = body.Groups === undefined || Array.isArray(body.Groups) ? {} : body.Groups;
      return {
        users,
        groups,
        invited: body.invited ?? [],
        total: toCount(body.total),
        count: toCount(body.count),
        apiCalls,
        ...(rejected.length === 0 ? {} : { rejected }),
        ...answerNotes('getuserdata', answer),
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
