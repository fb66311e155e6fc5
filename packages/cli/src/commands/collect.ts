import type { CollectorConfig, ConfigFlags } from '@lastpass-elastic/collector';
import { parseFlags, UsageError, type Command } from '../command';

const USAGE = `Usage: lastpass-elastic collect [--once] [--since <RFC 3339>] [--streams a,b] [--strict] [--config <file>]
                                [--output ndjson|elasticsearch] [--output-dir <dir>] [--state-dir <dir>]

Collects the LastPass event report, users and detailed shared folders into Elasticsearch or NDJSON.
  --once        run every selected stream once and exit (default: keep polling at each stream's interval)
  --since       first event-report window start when there is no cursor yet (default: now - initial_interval)
  --streams     comma-separated subset of event_report, user, detailed_shared_folder (default: all enabled)
  --strict      stop (exit 1, cursor not committed) when a document is rejected, instead of dead-lettering it
  --config      YAML config file (or LASTPASS_ELASTIC_CONFIG); flags > environment > file
  --output      ndjson or elasticsearch (or LASTPASS_ELASTIC_OUTPUT; default elasticsearch when ELASTICSEARCH_URL is set)
  --output-dir  NDJSON folder (or LASTPASS_ELASTIC_OUTPUT_DIR; default ./output)
  --state-dir   cursor and health state folder (or LASTPASS_ELASTIC_STATE_DIR; default ./state)
Environment:
  LASTPASS_ACCOUNT_NUMBER          the account number (CID)
  LASTPASS_PROVISIONING_HASH_FILE  a file holding the provisioning hash (re-read when LastPass refuses it)
  LASTPASS_PROVISIONING_HASH       the hash itself (prefer the _FILE form)
  LASTPASS_URL                     API endpoint (default https://lastpass.com/enterpriseapi.php)
  LASTPASS_TIME_ZONE               the account's IANA time zone, case-sensitive (default America/New_York)
  LASTPASS_API_USER                label sent as apiuser (default lastpass-elastic)
  ELASTICSEARCH_URL                cluster URL; makes elasticsearch the default output
  ELASTICSEARCH_API_KEY_FILE, ELASTICSEARCH_API_KEY                     API key auth, or
  ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD_FILE / ELASTICSEARCH_PASSWORD  basic auth
  ELASTICSEARCH_CA_FILE            a private CA for TLS
  ELASTICSEARCH_NAMESPACE          data stream namespace (default default)
  LASTPASS_ELASTIC_CONFIG, LASTPASS_ELASTIC_OUTPUT, LASTPASS_ELASTIC_OUTPUT_DIR, LASTPASS_ELASTIC_STATE_DIR  as the flags
  LASTPASS_ELASTIC_PACKAGE_DIR     the integration package (its pipelines make the NDJSON documents; found by default)
Exit codes: 0 success (also after SIGINT/SIGTERM), 1 the work failed (try again later), 2 bad usage or
configuration, 3 LastPass refused the account number or provisioning hash (stays wrong until fixed),
75 another collector holds the state directory's lock (try again later).`;

/** The flags of `collect` (each described in its --help). */
export const COLLECT_FLAGS = {
  once: { type: 'boolean' },
  since: { type: 'string' },
  streams: { type: 'string' },
  strict: { type: 'boolean' },
  config: { type: 'string' },
  output: { type: 'string' },
  'output-dir': { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `--since` as epoch ms; a UsageError naming the flag otherwise — also for a time after `now`: a future
 * start would be stored as the cursor and nothing would be collected until then (issue #15 §2).
 */
export function parseSince(text: string | undefined, now: number = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!RFC3339.test(text) || Number.isNaN(ms))
    throw new UsageError(`--since: expected an RFC 3339 time such as 2024-03-01T00:00:00Z, got "${text}"`);
  if (ms > now)
    throw new UsageError(
      `--since: expected a time in the past (the first event-report window starts there), got "${text}", which is after now (${new Date(now).toISOString()})`,
    );
  return ms;
}

/** Config errors become one-line usage errors (exit 2). */
export async function loadConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<CollectorConfig> {
  const { isCollectorError, resolveConfig } = await import('@lastpass-elastic/collector');
  try {
    return resolveConfig(flags, env, cwd);
  } catch (error) {
    if (isCollectorError(error) && error.usage) throw new UsageError(error.message);
    throw error;
  }
}

/** SIGINT/SIGTERM abort the run: the in-flight batch is finished and committed, then exit 0. */
export function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export const collect: Command = {
  name: 'collect',
  summary: 'collect LastPass events, users and shared folders into Elasticsearch or NDJSON',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, COLLECT_FLAGS);
    const since = parseSince(values.since);
    const flags: ConfigFlags = {};
    if (values.config !== undefined) flags.config = values.config;
    if (values.streams !== undefined) flags.streams = values.streams;
    if (values.output !== undefined) flags.output = values.output;
    if (values['output-dir'] !== undefined) flags.outputDir = values['output-dir'];
    if (values['state-dir'] !== undefined) flags.stateDir = values['state-dir'];
    const config = await loadConfig(flags, io.env, io.cwd);
    const { limitHeapGrowth, runCollect } = await import('@lastpass-elastic/collector');
    limitHeapGrowth(config.output);
    const signals = abortOnSignals();
    try {
      const { exitCode } = await runCollect({
        config,
        env: io.env,
        stdout: io.stdout,
        stderr: io.stderr,
        interactive: (io.stderr as { isTTY?: boolean }).isTTY === true,
        once: values.once === true,
        strict: values.strict === true,
        since,
        signal: signals.signal,
      });
      return exitCode;
    } finally {
      signals.dispose();
    }
  },
};
