/**
 * Simulator options. Every behaviour of the real API that public material does not pin down
 * (lastpass-api.md §13) is an option here, with the most plausible behaviour as the default.
 */
import { z } from 'zod';

const faultBase = {
  /** Only requests with this `cmd` count and are affected. */
  command: z.enum(['reporting', 'getuserdata', 'getsfdata', 'getdetailedsfdata']).optional(),
  /** Let this many matching requests pass first. Default 0. */
  after: z.number().int().nonnegative().default(0),
  /** Affect this many consecutive matching requests (per period when `every` is set). Default 1. */
  count: z.number().int().positive().default(1),
  /** Repeat: affect `count` requests out of every `every` matching requests (after `after`). */
  every: z.number().int().positive().optional(),
};

export const faultSchema = z.discriminatedUnion('kind', [
  /** HTTP 429, with `Retry-After: <retryAfterSeconds>` when set. */
  z.object({
    kind: z.literal('rate-limit'),
    ...faultBase,
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  }),
  /** HTTP 5xx with a short HTML body. */
  z.object({
    kind: z.literal('server-error'),
    ...faultBase,
    status: z.number().int().min(500).max(599).default(503),
  }),
  /** The normal answer, after `delayMs` real milliseconds. */
  z.object({ kind: z.literal('slow'), ...faultBase, delayMs: z.number().int().nonnegative().default(5_000) }),
  /** The normal answer cut in half (with a matching Content-Length: a server-side truncation). */
  z.object({ kind: z.literal('truncated'), ...faultBase }),
  /** The connection is destroyed before any answer. */
  z.object({ kind: z.literal('reset'), ...faultBase }),
]);
export type FaultSpec = z.input<typeof faultSchema>;
export type Fault = z.output<typeof faultSchema>;

const instant = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))], {
  error: 'expected an RFC 3339 date-time with an offset, e.g. 2024-11-01T00:00:00Z',
});

export const simulatorOptionsSchema = z.object({
  /** PRNG seed: the same seed and options give the same tenant, byte for byte. */
  seed: z.union([z.number().int(), z.string()]).default(1),
  accountNumber: z
    .string()
    .regex(/^\d{1,15}$/, 'expected digits')
    .default('8771312'),
  provisioningHash: z
    .string()
    .min(1, 'expected a non-empty hash')
    .default('simulator-provisioning-hash-0000'),
  /** IANA zone of the account: `Time`, user dates, `from`/`to` are wall clock in it. */
  timeZone: z.string().default('America/New_York'),
  /** At most this many events per `reporting` response (documented: 10,000). */
  pageSize: z.number().int().min(2, 'expected ≥ 2').default(10_000),
  /** Number of history events generated between `start` and `end` (self-audit events come on top). */
  events: z.number().int().nonnegative().max(5_000_000).default(5_000),
  users: z.number().int().min(4).max(100_000).default(40),
  sharedFolders: z.number().int().min(4).max(100_000).default(12),
  groups: z.number().int().min(1).max(1_000).default(5),
  invited: z.number().int().nonnegative().max(10_000).default(3),
  /**
   * History span (UTC instants). Defaults: end = `now`, else the real current time with the `running`
   * clock (the CLI's default: the history ends when the simulator starts, so `collect` finds events in
   * its default window), else 2024-11-15T00:00:00Z (the `fixed` clock: deterministic tenants for
   * tests); start = end − 270 days (crosses both DST changes of US zones).
   */
  start: instant.optional(),
  end: instant.optional(),
  /** Virtual "now" of the API; default `end`. Events after `now` are not visible. */
  now: instant.optional(),
  /** `fixed`: the virtual clock only moves when told; `running`: it advances with real time from `now`. */
  clock: z.enum(['fixed', 'running']).default('fixed'),
  /** `older-microtime` (documented): `next` is the microsecond timestamp of the next event not yet returned; `repeat-last`: that of the last returned event (the next page repeats it). */
  nextMode: z.enum(['older-microtime', 'repeat-last']).default('older-microtime'),
  /** JSON type of `next`: number (default) or string. */
  nextType: z.enum(['number', 'string']).default('number'),
  order: z.enum(['newest-first', 'oldest-first']).default('newest-first'),
  fromInclusive: z.boolean().default(true),
  toInclusive: z.boolean().default(true),
  /** How a `from`/`to` in the repeated fall-back hour is read: the earlier (first) or later offset. */
  ambiguousTime: z.enum(['earlier', 'later']).default('earlier'),
  /** Largest `pagesize` honoured by `getuserdata` (larger requests are silently capped). */
  userPageSize: z.number().int().positive().default(2_000),
  /** Largest `pagesize` honoured by `getdetailedsfdata`. */
  folderPageSize: z.number().int().positive().default(2_000),
  /** Unpaged `getdetailedsfdata` answers 429 when the tenant has more folders than this (lastpass-api.md §5.2). */
  unpagedFolderLimit: z.number().int().nonnegative().optional(),
  /** Every call appends a self-audit event (`Reporting`, `Get User Data`, `Get Shared Folder Data`). */
  selfAudit: z.boolean().default(false),
  /** `Username` of self-audit events (unverified: the admin, `""`, `API` or `API: <apiuser>`). */
  selfAuditUsername: z.string().default('API'),
  /** Default `apiuser` when a request sends none. */
  apiUser: z.string().default(''),
  /** Account policy "Restrict Enterprise API to event reporting". */
  restricted: z.boolean().default(false),
  /** Body of a refused command under `restricted` (unverified): JSON `{status: FAIL, error}` or XML `rc`. */
  restrictedResponse: z.enum(['json', 'xml']).default('json'),
  faults: z.array(faultSchema).default([]),
  /** Each event becomes visible up to this many seconds after its `Time` (deterministic per event). */
  lateArrivalSeconds: z.number().int().nonnegative().default(0),
});

export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema>;
export type ResolvedOptions = z.output<typeof simulatorOptionsSchema>;

/** Options with the history span and clock resolved to instants. */
export type SimulatorOptions = Omit<ResolvedOptions, 'start' | 'end' | 'now'> & {
  start: Date;
  end: Date;
  now: Date;
};

const DAY_MS = 86_400_000;
const DEFAULT_END = new Date('2024-11-15T00:00:00Z');

export class SimulatorOptionsError extends Error {
  readonly code = 'SIMULATOR_INVALID_OPTION';
  readonly retryable = false;
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'SimulatorOptionsError';
  }
}

/** Validates and completes options; throws SimulatorOptionsError naming the option. */
export function resolveOptions(
  input: SimulatorOptionsInput | Partial<SimulatorOptions> = {},
  realNow: () => number = Date.now,
): SimulatorOptions {
  const parsed = simulatorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SimulatorOptionsError(issue?.path.join('.') || 'options', issue?.message ?? 'invalid');
  }
  const o = parsed.data;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: o.timeZone });
  } catch {
    throw new SimulatorOptionsError(
      'timeZone',
      `expected an IANA time zone, got ${JSON.stringify(o.timeZone)}`,
    );
  }
  // whole seconds: the history's events fall on whole seconds
  const end =
    o.end ?? o.now ?? (o.clock === 'running' ? new Date(Math.floor(realNow() / 1000) * 1000) : DEFAULT_END);
  const start = o.start ?? new Date(end.getTime() - 270 * DAY_MS);
  const now = o.now ?? end;
  if (start.getTime() >= end.getTime())
    throw new SimulatorOptionsError('start', 'expected a time before end');
  return { ...o, start, end, now };
}
