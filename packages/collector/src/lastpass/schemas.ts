/**
 * zod schemas for every read command's response (lastpass-api.md §4). Tolerant of the documented
 * quirks (numbers as strings, `null` counters, `""` dates, 0/1-or-boolean flags, absent optional keys,
 * PHP's `[]` for an empty map, `next` as number or string) and strict about shape. Records keep every
 * key they arrived with (loose objects): the collector ships them unchanged as the `message`.
 */
import { z } from 'zod';

/** `YYYY-MM-DD HH:MM:SS`, zone-less wall-clock time in the account zone. */
export const WALL_CLOCK_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const wallClock = z.string().regex(WALL_CLOCK_PATTERN, 'expected "YYYY-MM-DD HH:MM:SS"');
/** A wall-clock time or `""` ("never"). */
const wallClockOrEmpty = z.union([z.literal(''), wallClock]);
/** Numbers that LastPass sometimes sends as strings (`"100"`). Kept as received. */
const numberLike = z.union([
  z.number(),
  z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a number or a numeric string'),
]);
/** 0/1, true/false, and (defensively) "0"/"1". */
const flag = z.union([z.boolean(), z.literal(0), z.literal(1), z.literal('0'), z.literal('1')]);

/** PHP encodes an empty associative array as `[]`: read it as `{}` wherever a map is expected. */
function mapOf<T extends z.ZodType>(value: T) {
  return z.preprocess(
    (input) => (Array.isArray(input) && input.length === 0 ? {} : input),
    z.record(z.string(), value),
  );
}

export const rawEventSchema = z.looseObject({
  Time: wallClock,
  Username: z.string(),
  IP_Address: z.string(),
  Action: z.string().min(1),
  Data: z.string(),
});
export type RawEvent = z.infer<typeof rawEventSchema>;

export const reportingResponseSchema = z.looseObject({
  status: z.string(),
  next: z.union([z.null(), z.number(), z.string()]).optional(),
  data: mapOf(rawEventSchema).optional(),
});
/**
 * The envelope alone (records unchecked): when the page guard refuses an answer, the envelope is checked
 * with this and each record on its own, so one bad record is set aside instead of failing the page.
 */
export const reportingEnvelopeSchema = z.looseObject({
  status: z.string(),
  next: z.union([z.null(), z.number(), z.string()]).optional(),
  data: mapOf(z.unknown()).optional(),
});
/** A body the schema accepts, as received: `data` may still be PHP's `[]` (the schema reads it as `{}`). */
export type ReportingResponse = Pick<z.infer<typeof reportingResponseSchema>, 'status' | 'next'> & {
  data?: Record<string, RawEvent> | [];
};

/*
 * Allocation-free pre-checks for the hot `reporting` path (one call per event record). They are
 * stricter than or equal to the zod schemas above, never looser: `true` only for a value the schema
 * accepts; on `false` the caller asks the schema, which decides (and words the error). The schema stays
 * the single source of the shape; `test/lastpass/fast-guard.test.ts` checks the two agree on edge records.
 */

/** `true` only for a record `rawEventSchema` accepts (without copying it, as zod's output would). */
export function isRawEvent(value: unknown): value is RawEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const time = record.Time;
  const action = record.Action;
  return (
    typeof time === 'string' &&
    WALL_CLOCK_PATTERN.test(time) &&
    typeof record.Username === 'string' &&
    typeof record.IP_Address === 'string' &&
    typeof action === 'string' &&
    action.length > 0 &&
    typeof record.Data === 'string'
  );
}

/** `true` only for a body `reportingResponseSchema` accepts. A `__proto__` key is left to the schema. */
export function isReportingResponse(value: unknown): value is ReportingResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { status, next, data } = value as Record<string, unknown>;
  if (typeof status !== 'string') return false;
  const nextOk =
    next === undefined ||
    next === null ||
    typeof next === 'string' ||
    (typeof next === 'number' && Number.isFinite(next));
  if (!nextOk) return false;
  if (data === undefined) return true;
  if (Array.isArray(data)) return data.length === 0;
  if (typeof data !== 'object' || data === null || Object.getPrototypeOf(data) !== Object.prototype) {
    return false;
  }
  const map = data as Record<string, unknown>;
  for (const key in map) {
    if (key === '__proto__' || !isRawEvent(map[key])) return false;
  }
  return true;
}

export const rawUserSchema = z.looseObject({
  username: z.string().min(1),
  fullname: z.string().nullable().optional(),
  mpstrength: numberLike.nullable().optional(),
  created: wallClockOrEmpty.nullable().optional(),
  last_pw_change: wallClockOrEmpty.nullable().optional(),
  last_login: wallClockOrEmpty.nullable().optional(),
  neverloggedin: flag.optional(),
  disabled: flag.optional(),
  admin: flag.optional(),
  superadmin: flag.optional(),
  password_reset_required: flag.optional(),
  totalscore: numberLike.nullable().optional(),
  duousername: z.string().nullable().optional(),
  linked: z.string().nullable().optional(),
  multifactor: z.string().nullable().optional(),
  sites: numberLike.nullable().optional(),
  notes: numberLike.nullable().optional(),
  formfills: numberLike.nullable().optional(),
  applications: numberLike.nullable().optional(),
  attachments: numberLike.nullable().optional(),
  groups: z.array(z.string()).optional(),
  attribs: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]).optional(),
});
export type RawUser = z.infer<typeof rawUserSchema>;

const userDataFields = {
  total: numberLike.nullable().optional(),
  count: numberLike.nullable().optional(),
  Groups: mapOf(z.array(z.string())).optional(),
  invited: z.array(z.string()).nullable().optional(),
};
export const userDataResponseSchema = z.looseObject({ ...userDataFields, Users: mapOf(rawUserSchema) });
/**
 * The envelope alone (users unchecked): when an answer fails `userDataResponseSchema`, the envelope is
 * checked with this and each user on its own, so one bad user is set aside instead of failing the page.
 */
export const userDataEnvelopeSchema = z.looseObject({ ...userDataFields, Users: mapOf(z.unknown()) });

export const rawFolderMemberSchema = z.looseObject({
  username: z.string().min(1),
  readonly: flag.optional(),
  give: flag.optional(),
  can_administer: flag.optional(),
  superadmin: flag.optional(),
  sites: z.array(z.string()).optional(),
});
export type RawFolderMember = z.infer<typeof rawFolderMemberSchema>;

const sharedFolderFields = {
  sharedfoldername: z.string(),
  score: numberLike.nullable().optional(),
  deleted: flag.optional(),
};
export const rawSharedFolderSchema = z.looseObject({
  ...sharedFolderFields,
  users: z.array(rawFolderMemberSchema).optional(),
});
export type RawSharedFolder = z.infer<typeof rawSharedFolderSchema>;
/** A folder with its members unchecked (each is then checked on its own: a bad member is set aside alone). */
export const sharedFolderOnlySchema = z.looseObject({
  ...sharedFolderFields,
  users: z.array(z.unknown()).optional(),
});

export const sharedFolderResponseSchema = mapOf(rawSharedFolderSchema);
/** The envelope alone (folders unchecked), for the per-record path like `userDataEnvelopeSchema`. */
export const sharedFolderEnvelopeSchema = mapOf(z.unknown());
