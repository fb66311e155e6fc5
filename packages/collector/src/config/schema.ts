import { z } from 'zod';
import { isValidTimeZone } from '../time/account-zone';
import { parseDuration } from './duration';
import { timeZoneProblem } from './time-zone';

/** The three streams, in the order the sync loop runs them; one id everywhere (folder, dataset, state). */
export const STREAM_IDS = ['event_report', 'user', 'detailed_shared_folder'] as const;
export const streamIdSchema = z.enum(STREAM_IDS);
export type StreamId = z.infer<typeof streamIdSchema>;

export const DEFAULT_LASTPASS_URL = 'https://lastpass.com/enterpriseapi.php';
export const DEFAULT_TIME_ZONE = 'America/New_York';
export const DEFAULT_API_USER = 'lastpass-elastic';

const duration = z.string().refine((s) => parseDuration(s) !== null, {
  message: 'expected a duration such as 30s, 10m, 24h or 1h30m',
});
const timeZone = z.string().superRefine((name, ctx) => {
  if (!isValidTimeZone(name)) ctx.addIssue({ code: 'custom', message: timeZoneProblem(name) });
});
/** http(s) only: the LastPass client and the Elasticsearch client speak nothing else. */
const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });
export const lastpassUrlSchema = httpUrl('https://lastpass.com/enterpriseapi.php');
export const elasticsearchUrlSchema = httpUrl('https://localhost:9200');
/** Fleet's namespace rules: lowercase, no `-`, `\`, `/`, `*`, `?`, `"`, `<`, `>`, `|`, space, `,`, `#`; ≤ 100 bytes. */
export const namespaceSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9_.+@!$%&'()=~^{}[\];]+$/, {
    message: 'expected a Fleet namespace: lowercase, no "-", spaces or \\/*?"<>|,#',
  });
const accountNumber = z
  .union([z.string(), z.number().int().nonnegative()], {
    error: 'expected the numeric account number (CID)',
  })
  .transform(String)
  .pipe(z.string().regex(/^\d{1,15}$/, { message: 'expected the numeric account number (CID)' }));

/** Per-stream settings, snake_case as in the package's data stream vars. */
const eventReportFileSchema = z
  .object({
    enabled: z.boolean().optional(),
    interval: duration.optional(),
    initial_interval: duration.optional(),
    overlap: duration.optional(),
    settle_lag: duration.optional(),
    page_limit: z.number().int().min(1).max(100_000).optional(),
    tags: z.array(z.string()).optional(),
    preserve_original_event: z.boolean().optional(),
  })
  .strict();
const inventoryFileSchema = z
  .object({
    enabled: z.boolean().optional(),
    interval: duration.optional(),
    page_size: z.number().int().min(1).max(100_000).optional(),
    tags: z.array(z.string()).optional(),
    preserve_original_event: z.boolean().optional(),
  })
  .strict();

const accountFields = {
  account_number: accountNumber.optional(),
  provisioning_hash: z.string().min(1).optional(),
  provisioning_hash_file: z.string().min(1).optional(),
  url: lastpassUrlSchema.optional(),
  time_zone: timeZone.optional(),
  api_user: z.string().min(1).optional(),
  /** Per-attempt timeout of an API request (the package's `http_client_timeout`). */
  http_client_timeout: duration.optional(),
  /** Minimum time between the starts of two API requests to this account (collector only; default 1s). */
  request_interval: duration.optional(),
  /** The interval instead while answers carry records (a backfill or snapshot under way; default 100ms, never above request_interval). */
  backfill_request_interval: duration.optional(),
  /** Largest API answer accepted, in bytes (default 64 MiB). */
  response_max_bytes: z.number().int().min(1024).optional(),
  tags: z.array(z.string()).optional(),
  preserve_original_event: z.boolean().optional(),
  event_report: eventReportFileSchema.optional(),
  user: inventoryFileSchema.optional(),
  detailed_shared_folder: inventoryFileSchema.optional(),
};
export const accountFileSchema = z.object(accountFields).strict();
export type AccountFile = z.infer<typeof accountFileSchema>;

const elasticsearchFileSchema = z
  .object({
    url: elasticsearchUrlSchema.optional(),
    api_key: z.string().min(1).optional(),
    api_key_file: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    password_file: z.string().min(1).optional(),
    ca_file: z.string().min(1).optional(),
    namespace: namespaceSchema.optional(),
    bulk_max_documents: z.number().int().min(1).max(100_000).optional(),
    bulk_concurrency: z.number().int().min(1).max(16).optional(),
  })
  .strict();

/**
 * The YAML config file (`--config` / `LASTPASS_ELASTIC_CONFIG`). Account keys may sit at the top level
 * (one account) or in `accounts:` (several); top-level account keys are defaults for every entry.
 */
export const configFileSchema = z
  .object({
    ...accountFields,
    accounts: z.array(accountFileSchema).min(1).optional(),
    output: z.enum(['ndjson', 'elasticsearch']).optional(),
    output_dir: z.string().min(1).optional(),
    state_dir: z.string().min(1).optional(),
    ndjson_max_bytes: z.number().int().min(1024).optional(),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    elasticsearch: elasticsearchFileSchema.optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof configFileSchema>;
