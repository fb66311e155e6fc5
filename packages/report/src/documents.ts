/**
 * The ECS documents the package's pipelines write (NDJSON output or Elasticsearch `_source`), read into
 * the small records the findings need. Pure: no I/O. Unknown fields are ignored; a `pipeline_error` document,
 * or one without the fields a record needs, maps to null and is counted as skipped.
 */
import { z } from 'zod';

const str = z.string();
const bool = z.boolean();
const strOrList = z.union([z.string(), z.array(z.string())]);
const common = {
  '@timestamp': str,
  organization: z.object({ id: str }),
  event: z
    .object({
      id: str.optional(),
      ingested: str.optional(),
      timezone: str.optional(),
      kind: str.optional(),
      action: str.optional(),
      category: strOrList.optional(),
      type: strOrList.optional(),
    })
    .optional(),
};
const snapshot = z.object({ id: str, started_at: str.optional() });

const userDocSchema = z.object({
  ...common,
  user: z
    .object({
      id: str.optional(),
      name: str,
      full_name: str.optional(),
      group: z.object({ name: strOrList.optional() }).optional(),
    })
    .optional(),
  lastpass_enterprise: z.object({
    snapshot,
    user: z
      .object({
        invited: bool.optional(),
        admin: bool.optional(),
        disabled: bool.optional(),
        never_logged_in: bool.optional(),
        password_reset_required: bool.optional(),
        multifactor: str.optional(),
        master_password_strength: z.number().optional(),
        last_login: str.optional(),
        created: str.optional(),
      })
      .optional(),
  }),
});

const folderDocSchema = z.object({
  ...common,
  user: z.object({ name: str }).optional(),
  lastpass_enterprise: z.object({
    snapshot,
    detailed_shared_folder: z.object({
      id: str,
      name: str.optional(),
      score: z.number().optional(),
      deleted: bool.optional(),
      has_members: bool.optional(),
      member: z
        .object({
          can_administer: bool.optional(),
          hide_passwords: bool.optional(),
          super_admin: bool.optional(),
        })
        .optional(),
    }),
  }),
});

const eventDocSchema = z.object({
  ...common,
  user: z
    .object({
      name: str.optional(),
      target: z.object({ name: strOrList.optional() }).optional(),
    })
    .optional(),
  source: z.object({ ip: str.optional() }).optional(),
  lastpass_enterprise: z
    .object({
      event_report: z
        .object({
          action: str.optional(),
          data: str.optional(),
          user_name: str.optional(),
          policy: z.object({ name: str.optional(), value: str.optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});

/** The fields every inventory record carries. */
export interface SnapshotMember {
  account: string;
  snapshotId: string;
  /** Snapshot start, epoch ms (`lastpass_enterprise.snapshot.started_at`, else `@timestamp`). */
  snapshotStart: number;
  /** `event.ingested`, epoch ms, when present. */
  ingested: number | null;
  timeZone: string | null;
}

export interface UserRecord extends SnapshotMember {
  invited: boolean;
  userName: string;
  userId: string | null;
  fullName: string | null;
  admin: boolean;
  disabled: boolean;
  neverLoggedIn: boolean;
  passwordResetRequired: boolean;
  multifactor: string | null;
  strength: number | null;
  lastLogin: number | null;
  created: number | null;
  groups: string[];
}

export interface FolderMemberRecord extends SnapshotMember {
  folderId: string;
  folderName: string;
  deleted: boolean;
  score: number | null;
  /** Null for the one document of a folder without members. */
  member: { userName: string; canAdminister: boolean; hidePasswords: boolean | null } | null;
}

export interface EventRecord {
  account: string;
  time: number;
  ingested: number | null;
  timeZone: string | null;
  /** LastPass's `Action` text (`lastpass_enterprise.event_report.action`, else `event.action`). */
  action: string;
  /** `event.action`: the action lower-cased by the pipeline. */
  ecsAction: string;
  categories: string[];
  types: string[];
  actor: string | null;
  targets: string[];
  policyName: string | null;
  policyValue: string | null;
  data: string | null;
  sourceIp: string | null;
  eventId: string | null;
}

/** What the package pipelines' on_failure handler marks a document it could not map with. */
export const PIPELINE_ERROR_KIND = 'pipeline_error';

/**
 * A document the pipeline could not map (`event.kind: pipeline_error`): not data — its `@timestamp` is the
 * ingest time, and its fields are whatever was set before the failure.
 */
export function isPipelineError(source: unknown): boolean {
  if (typeof source !== 'object' || source === null) return false;
  const event = (source as { event?: unknown }).event;
  return (
    typeof event === 'object' && event !== null && (event as { kind?: unknown }).kind === PIPELINE_ERROR_KIND
  );
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const nonEmpty = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** Epoch ms of an RFC 3339 text, or null. */
export function parseInstant(text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function snapshotFields(
  doc: z.infer<typeof userDocSchema> | z.infer<typeof folderDocSchema>,
): SnapshotMember | null {
  const start = parseInstant(doc.lastpass_enterprise.snapshot.started_at ?? doc['@timestamp']);
  if (start === null) return null;
  return {
    account: doc.organization.id,
    snapshotId: doc.lastpass_enterprise.snapshot.id,
    snapshotStart: start,
    ingested: parseInstant(doc.event?.ingested),
    timeZone: doc.event?.timezone ?? null,
  };
}

/** A user-stream document (a user or an invitee) as a record; null when it lacks the required fields. */
export function userFromDocument(source: unknown): UserRecord | null {
  if (isPipelineError(source)) return null;
  const parsed = userDocSchema.safeParse(source);
  if (!parsed.success || parsed.data.user === undefined) return null;
  const doc = parsed.data;
  const base = snapshotFields(doc);
  if (base === null) return null;
  const u = doc.lastpass_enterprise.user ?? {};
  const user = doc.user;
  if (user === undefined) return null;
  return {
    ...base,
    invited: u.invited === true,
    userName: user.name,
    userId: user.id ?? null,
    fullName: nonEmpty(user.full_name),
    admin: u.admin === true,
    disabled: u.disabled === true,
    neverLoggedIn: u.never_logged_in === true,
    passwordResetRequired: u.password_reset_required === true,
    multifactor: nonEmpty(u.multifactor),
    strength: u.master_password_strength ?? null,
    lastLogin: parseInstant(u.last_login),
    created: parseInstant(u.created),
    groups: list(user.group?.name),
  };
}

/** A shared-folder document (one folder × member, or a folder without members) as a record. */
export function folderFromDocument(source: unknown): FolderMemberRecord | null {
  if (isPipelineError(source)) return null;
  const parsed = folderDocSchema.safeParse(source);
  if (!parsed.success) return null;
  const doc = parsed.data;
  const base = snapshotFields(doc);
  if (base === null) return null;
  const f = doc.lastpass_enterprise.detailed_shared_folder;
  const member =
    doc.user === undefined
      ? null
      : {
          userName: doc.user.name,
          canAdminister: f.member?.can_administer === true,
          hidePasswords: f.member?.hide_passwords ?? null,
        };
  return {
    ...base,
    folderId: f.id,
    folderName: f.name ?? f.id,
    deleted: f.deleted === true,
    score: f.score ?? null,
    member,
  };
}

/** An event-report document as a record; null for a pipeline error or when it has no time or action. */
export function eventFromDocument(source: unknown): EventRecord | null {
  if (isPipelineError(source)) return null;
  const parsed = eventDocSchema.safeParse(source);
  if (!parsed.success) return null;
  const doc = parsed.data;
  const time = parseInstant(doc['@timestamp']);
  const er = doc.lastpass_enterprise?.event_report;
  const action = er?.action ?? doc.event?.action;
  if (time === null || action === undefined) return null;
  return {
    account: doc.organization.id,
    time,
    ingested: parseInstant(doc.event?.ingested),
    timeZone: doc.event?.timezone ?? null,
    action,
    ecsAction: doc.event?.action ?? action.toLowerCase(),
    categories: list(doc.event?.category),
    types: list(doc.event?.type),
    actor: nonEmpty(doc.user?.name ?? er?.user_name),
    targets: list(doc.user?.target?.name),
    policyName: nonEmpty(er?.policy?.name),
    policyValue: nonEmpty(er?.policy?.value),
    data: nonEmpty(er?.data),
    sourceIp: nonEmpty(doc.source?.ip),
    eventId: doc.event?.id ?? null,
  };
}

/** The kinds of change the report lists (`event.action` values, as the pipeline lower-cases them). */
export const ADMIN_ROLE_ACTIONS = ['make admin', 'remove admin'] as const;
export const POLICY_ACTIONS = ['add policy', 'edit policy', 'delete policy', 'update policy users'] as const;
/** `Employee Invited` names the invited addresses in `user.target.name`. */
export const INVITE_ACTION = 'employee invited';

export type ChangeKind = 'admin_role' | 'policy' | 'account_setting';

/**
 * Which change list an event belongs to: admin-role grants and removals, policy changes, or other account
 * settings (ECS category `configuration` with type `change`, `creation` or `deletion`: API secret,
 * provisioning, global URL rules, …). Null for everything else.
 */
export function changeKindOf(
  event: Pick<EventRecord, 'ecsAction' | 'categories' | 'types'>,
): ChangeKind | null {
  const action = event.ecsAction.toLowerCase();
  if ((ADMIN_ROLE_ACTIONS as readonly string[]).includes(action)) return 'admin_role';
  if ((POLICY_ACTIONS as readonly string[]).includes(action)) return 'policy';
  if (
    event.categories.includes('configuration') &&
    event.types.some((t) => t === 'change' || t === 'creation' || t === 'deletion')
  )
    return 'account_setting';
  return null;
}
