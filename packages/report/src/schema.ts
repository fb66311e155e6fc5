/**
 * `posture.json`: the schema of the posture and evidence report (`lastpass-elastic report posture`).
 * This zod schema is the contract; the README's "Posture and evidence report" section documents it.
 * Keys are snake_case and stable within a `schema` version; every time is RFC 3339 in UTC
 * (`2024-11-15T00:00:00.000Z`); lists are in a documented, deterministic order.
 */
import { z } from 'zod';

export const POSTURE_SCHEMA = 'lastpass-elastic/posture@1';

/** An RFC 3339 instant in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
const instant = z.iso.datetime({ precision: 3 });
const day = z.iso.date();
const count = z.number().int().nonnegative();

export const FINDING_IDS = [
  'never_logged_in',
  'inactive_users',
  'no_mfa',
  'weak_master_password',
  'password_reset_required',
  'admins',
  'admins_without_mfa',
  'disabled_in_shared_folders',
  'pending_invitations',
  'folders_many_admins',
  'folders_passwords_visible',
  'folders_external_members',
  'deleted_folders',
  'admin_role_changes',
  'policy_changes',
  'account_setting_changes',
] as const;
export const findingIdSchema = z.enum(FINDING_IDS);
export type FindingId = z.infer<typeof findingIdSchema>;

export const severitySchema = z.enum(['high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof severitySchema>;

/** One user (never an invitee) as of the users snapshot. */
export const userItemSchema = z
  .object({
    user_name: z.string(),
    user_id: z.string().nullable(),
    full_name: z.string().nullable(),
    admin: z.boolean(),
    disabled: z.boolean(),
    never_logged_in: z.boolean(),
    password_reset_required: z.boolean(),
    /** The MFA method LastPass reports (`googleauth`, `duo`, …); null when none is reported. */
    multifactor: z.string().nullable(),
    master_password_strength: z.number().nullable(),
    last_login: instant.nullable(),
    /** Whole days from `last_login` to the users snapshot (`collected.as_of`). */
    days_since_last_login: z.number().int().nullable(),
    created: instant.nullable(),
    groups: z.array(z.string()),
    /** Names of the non-deleted shared folders the user is a member of, sorted. */
    shared_folders: z.array(z.string()),
  })
  .strict();
export type UserItem = z.infer<typeof userItemSchema>;

/** A pending invitation; its age is a lower bound from the earliest evidence in the data. */
export const invitationItemSchema = z
  .object({
    user_name: z.string(),
    invited_since: instant,
    /** `event_report`: the earliest `Employee Invited` event naming the address; `first_snapshot`: the earliest users snapshot listing it as invited. */
    since_basis: z.enum(['event_report', 'first_snapshot']),
    age_days: z.number().int().nonnegative(),
  })
  .strict();
export type InvitationItem = z.infer<typeof invitationItemSchema>;

/** A shared folder as of the shared-folders snapshot. */
export const folderItemSchema = z
  .object({
    folder_id: z.string(),
    folder_name: z.string(),
    deleted: z.boolean(),
    score: z.number().nullable(),
    members: count,
    /** Members who can administer the folder, sorted. */
    admins: z.array(z.string()),
    /** Members for whom "Hide passwords" is off (they can see the passwords), sorted. */
    passwords_visible_to: z.array(z.string()),
    /** Members whose email domain is not one of `company_domains`, sorted. */
    external_members: z.array(z.string()),
  })
  .strict();
export type FolderItem = z.infer<typeof folderItemSchema>;

/** One event-report record: who did what, when. */
export const changeItemSchema = z
  .object({
    time: instant,
    actor: z.string().nullable(),
    /** LastPass's action text as recorded (`Make Admin`, `Edit Policy`, …). */
    action: z.string(),
    /** Users the action names (`user.target.name`), in record order. */
    targets: z.array(z.string()),
    /** What changed: policy name and new value, or LastPass's `Data` text. */
    detail: z.string().nullable(),
    source_ip: z.string().nullable(),
    event_id: z.string().nullable(),
  })
  .strict();
export type ChangeItem = z.infer<typeof changeItemSchema>;

const findingBase = {
  id: findingIdSchema,
  title: z.string(),
  /** The rule in words, with its parameters filled in. */
  rule: z.string(),
  severity: severitySchema,
  parameters: z.record(z.string(), z.union([z.number(), z.string(), z.array(z.string())])),
  /** Always `items.length`. */
  count,
};

export const findingSchema = z
  .discriminatedUnion('subject', [
    z.object({ ...findingBase, subject: z.literal('user'), items: z.array(userItemSchema) }).strict(),
    z
      .object({ ...findingBase, subject: z.literal('invitation'), items: z.array(invitationItemSchema) })
      .strict(),
    z.object({ ...findingBase, subject: z.literal('folder'), items: z.array(folderItemSchema) }).strict(),
    z.object({ ...findingBase, subject: z.literal('change'), items: z.array(changeItemSchema) }).strict(),
  ])
  .refine((f) => f.count === f.items.length, { message: 'count must equal items.length' });
export type Finding = z.infer<typeof findingSchema>;
export type FindingSubject = Finding['subject'];

export const snapshotSchema = z
  .object({
    id: z.string(),
    started_at: instant,
    /** Documents of this snapshot read (users + invitees, or folder × member). */
    documents: count,
    /** How it was chosen: `state` (the state file's last complete snapshot), `newest` (newest in the data), `settled` (newest whose documents stopped arriving `snapshot_settle` ago), `unsettled` (newest, still receiving documents). */
    selected_by: z.enum(['state', 'newest', 'settled', 'unsettled']),
  })
  .strict();
export type SnapshotInfo = z.infer<typeof snapshotSchema>;

export const STREAMS = ['user', 'detailed_shared_folder', 'event_report'] as const;
const streamSchema = z.enum(STREAMS);

export const GAP_KINDS = [
  'no_events',
  'not_collected',
  'stale_snapshot',
  'dead_letters',
  'collector_error',
  'collector_note',
] as const;

export const coverageSchema = z
  .object({
    /** Where the coverage facts come from: the collector's state files, or the indexed documents. */
    basis: z.enum(['state_files', 'data']),
    time_zone: z.string().nullable(),
    /** The collector's time-zone self-check note (`ok`, or the offset it found); null when unknown. */
    time_zone_check: z.string().nullable(),
    streams: z.array(
      z
        .object({
          stream: streamSchema,
          /** State files: `health.last_success`; data: the newest `event.ingested` of the stream. */
          last_success: instant.nullable(),
          /** event_report: every event up to here was collected; snapshots: start of the last complete one. */
          cursor: instant.nullable(),
          dead_letters: count.nullable(),
          last_error: z.string().nullable(),
          notes: z.record(z.string(), z.string()),
        })
        .strict(),
    ),
    /** Events per UTC day of the period (days cut by the period's ends are partial). */
    events_per_day: z.array(z.object({ date: day, events: count }).strict()),
    gaps: z.array(
      z
        .object({
          kind: z.enum(GAP_KINDS),
          stream: streamSchema,
          from: instant.nullable(),
          to: instant.nullable(),
          detail: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
export type Coverage = z.infer<typeof coverageSchema>;
export type Gap = Coverage['gaps'][number];

export const accountSchema = z
  .object({
    account_number: z.string(),
    time_zone: z.string().nullable(),
    /** Events are read from `from` to `to`, both inclusive. */
    period: z.object({ from: instant, to: instant }).strict(),
    collected: z
      .object({
        /** The reference time for ages ("inactive for", "invited since"): the users snapshot start. */
        as_of: instant,
        users_snapshot: snapshotSchema,
        folders_snapshot: snapshotSchema,
        /** Every event up to this instant was collected (the cursor), or the newest event seen. */
        events_through: instant.nullable(),
      })
      .strict(),
    company_domains: z
      .object({
        domains: z.array(z.string()),
        basis: z.enum(['configured', 'most_common_user_domain']),
      })
      .strict(),
    summary: z
      .object({
        users: count,
        enabled_users: count,
        disabled_users: count,
        admins: count,
        pending_invitations: count,
        shared_folders: count,
        deleted_folders: count,
        folder_memberships: count,
        events_in_period: count,
        /** Enabled users per reported MFA method; `none` for those without one. Sorted by key. */
        mfa_methods: z.record(z.string(), count),
        /** Enabled users who have logged in, by master-password strength: [0,20), [20,40), …, [80,100]. */
        master_password_strength: z.array(
          z.object({ from: z.number(), to: z.number(), users: count }).strict(),
        ),
      })
      .strict(),
    findings: z.array(findingSchema),
    coverage: coverageSchema,
  })
  .strict();
export type AccountReport = z.infer<typeof accountSchema>;

export const parametersSchema = z
  .object({
    inactive_days: z.number().int().positive(),
    weak_password_below: z.number().int().min(0).max(101),
    invitation_days: z.number().int().nonnegative(),
    folder_admins_above: z.number().int().nonnegative(),
    /** Configured company domains; null: each account's most common user domain. */
    company_domains: z.array(z.string()).nullable(),
    /** Requested period; null ends: per account, `to` = events collected through, `from` = `to` − `days`. */
    from: instant.nullable(),
    to: instant.nullable(),
    days: z.number().int().positive(),
    accounts: z.array(z.string()).nullable(),
  })
  .strict();
export type ReportParameters = z.infer<typeof parametersSchema>;

export const sourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ndjson'), input_dir: z.string(), state_dir: z.string().nullable() }).strict(),
  z
    .object({
      kind: z.literal('elasticsearch'),
      /** The cluster URL without credentials. */
      url: z.string(),
      users_index: z.string(),
      folders_index: z.string(),
      events_index: z.string(),
      snapshot_settle: z.string(),
    })
    .strict(),
]);
export type ReportSource = z.infer<typeof sourceSchema>;

export const postureReportSchema = z
  .object({
    schema: z.literal(POSTURE_SCHEMA),
    generated_at: instant,
    generator: z.object({ name: z.literal('lastpass-elastic'), version: z.string() }).strict(),
    source: sourceSchema,
    parameters: parametersSchema,
    /** One section per account, sorted by account number. */
    accounts: z.array(accountSchema).min(1),
  })
  .strict();
export type PostureReport = z.infer<typeof postureReportSchema>;
