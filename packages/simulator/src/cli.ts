/**
 * `lastpass-elastic simulator`: flags → options, start on 127.0.0.1, print the URL and the account
 * number (never the hash), run until SIGINT/SIGTERM. Bad flag values: one line, exit code 2.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  faultSchema,
  resolveOptions,
  SimulatorOptionsError,
  type FaultSpec,
  type SimulatorOptionsInput,
} from './options';
import { startSimulator, type RunningSimulator } from './server';

export interface SimulatorCliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export const SIMULATOR_USAGE = `lastpass-elastic simulator [flags]
  --port N                    TCP port on 127.0.0.1 (default 18080; 0 = any free port)
  --seed S                    tenant seed (default 1)
  --account-number DIGITS     account number / cid (env LASTPASS_ACCOUNT_NUMBER; default 8771312)
  --provisioning-hash-file F  file holding the hash (env LASTPASS_PROVISIONING_HASH_FILE)
  --provisioning-hash H       the hash itself (env LASTPASS_PROVISIONING_HASH); never printed
  --time-zone ZONE            IANA zone of the account (env LASTPASS_TIME_ZONE; default America/New_York)
  --page-size N               events per reporting response (default 10000)
  --events N  --users N  --shared-folders N  --groups N  --invited N
  --start T --end T | --now T RFC 3339 history span / virtual clock (default: 270 days ending now)
  --clock fixed|running       running: the virtual clock follows real time (default running)
  --next-mode older-microtime|repeat-last   --next-type number|string
  --order newest-first|oldest-first         --from-exclusive  --to-exclusive
  --ambiguous-time earlier|later            --late-arrival-seconds N
  --user-page-size N  --folder-page-size N  --unpaged-folder-limit N
  --self-audit  --self-audit-username NAME  --restricted  --restricted-response json|xml
  --fault SPEC (repeatable)   kind[,key=value…]; kinds rate-limit (retry-after=S), server-error
                              (status=503), slow (delay-ms=MS), truncated, reset; keys after, count,
                              every, command. Example: --fault rate-limit,every=10,retry-after=2`;

const FLAGS = {
  port: { type: 'string' },
  seed: { type: 'string' },
  'account-number': { type: 'string' },
  'provisioning-hash-file': { type: 'string' },
  'provisioning-hash': { type: 'string' },
  'time-zone': { type: 'string' },
  'page-size': { type: 'string' },
  events: { type: 'string' },
  users: { type: 'string' },
  'shared-folders': { type: 'string' },
  groups: { type: 'string' },
  invited: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  now: { type: 'string' },
  clock: { type: 'string' },
  'next-mode': { type: 'string' },
  'next-type': { type: 'string' },
  order: { type: 'string' },
  'from-exclusive': { type: 'boolean' },
  'to-exclusive': { type: 'boolean' },
  'ambiguous-time': { type: 'string' },
  'late-arrival-seconds': { type: 'string' },
  'user-page-size': { type: 'string' },
  'folder-page-size': { type: 'string' },
  'unpaged-folder-limit': { type: 'string' },
  'self-audit': { type: 'boolean' },
  'self-audit-username': { type: 'string' },
  restricted: { type: 'boolean' },
  'restricted-response': { type: 'string' },
  fault: { type: 'string', multiple: true },
  help: { type: 'boolean' },
} as const;

/** Option key (as zod reports it) → the flag that sets it. */
const FLAG_OF: Record<string, string> = {
  seed: '--seed',
  accountNumber: '--account-number',
  provisioningHash: '--provisioning-hash',
  timeZone: '--time-zone',
  pageSize: '--page-size',
  events: '--events',
  users: '--users',
  sharedFolders: '--shared-folders',
  groups: '--groups',
  invited: '--invited',
  start: '--start',
  end: '--end',
  now: '--now',
  clock: '--clock',
  nextMode: '--next-mode',
  nextType: '--next-type',
  order: '--order',
  ambiguousTime: '--ambiguous-time',
  lateArrivalSeconds: '--late-arrival-seconds',
  userPageSize: '--user-page-size',
  folderPageSize: '--folder-page-size',
  unpagedFolderLimit: '--unpaged-folder-limit',
  selfAuditUsername: '--self-audit-username',
  restrictedResponse: '--restricted-response',
  faults: '--fault',
};

export class SimulatorUsageError extends Error {
  readonly code = 'SIMULATOR_USAGE';
  readonly retryable = false;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()))
    throw new SimulatorUsageError(`${flag}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

const FAULT_KEYS: Record<string, string> = {
  after: 'after',
  count: 'count',
  every: 'every',
  command: 'command',
  'retry-after': 'retryAfterSeconds',
  status: 'status',
  'delay-ms': 'delayMs',
};

/** `kind[,key=value…]` → a validated fault. */
export function parseFaultFlag(spec: string): FaultSpec {
  const [kind, ...pairs] = spec.split(',');
  const raw: Record<string, unknown> = { kind };
  for (const pair of pairs) {
    const [key = '', value = ''] = pair.split('=');
    const field = FAULT_KEYS[key.trim()];
    if (field === undefined)
      throw new SimulatorUsageError(
        `--fault: unknown key ${JSON.stringify(key)} in ${JSON.stringify(spec)} (expected ${Object.keys(FAULT_KEYS).join(', ')})`,
      );
    raw[field] = field === 'command' ? value : integer(`--fault ${key}`, value);
  }
  const parsed = faultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SimulatorUsageError(
      `--fault: ${JSON.stringify(spec)}: ${issue?.path.join('.') || 'kind'}: ${issue?.message ?? 'invalid'} (kinds: rate-limit, server-error, slow, truncated, reset)`,
    );
  }
  return parsed.data;
}

/** argv + env → options (validated) and the port. Throws SimulatorUsageError naming the flag. */
export function parseSimulatorArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { port: number; options: SimulatorOptionsInput; help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new SimulatorUsageError(error instanceof Error ? error.message : String(error));
  }
  const hashFile =
    values['provisioning-hash-file'] ??
    (values['provisioning-hash'] === undefined ? env.LASTPASS_PROVISIONING_HASH_FILE : undefined);
  let provisioningHash = values['provisioning-hash'] ?? env.LASTPASS_PROVISIONING_HASH;
  if (hashFile !== undefined && hashFile !== '') {
    try {
      provisioningHash = readFileSync(hashFile, 'utf8').trim();
    } catch {
      // The value is never shown: it may be the hash itself, given by mistake.
      const source =
        values['provisioning-hash-file'] === undefined
          ? 'LASTPASS_PROVISIONING_HASH_FILE'
          : '--provisioning-hash-file';
      throw new SimulatorUsageError(`${source}: cannot read the file named by ${source}`);
    }
  }
  const seed = values.seed;
  const options: SimulatorOptionsInput = {
    ...(seed === undefined ? {} : { seed: /^-?\d+$/.test(seed) ? Number(seed) : seed }),
    ...(provisioningHash === undefined || provisioningHash === '' ? {} : { provisioningHash }),
    clock: 'running',
  };
  const put = (key: keyof SimulatorOptionsInput, value: unknown): void => {
    if (value !== undefined) (options as Record<string, unknown>)[key] = value;
  };
  put('accountNumber', values['account-number'] ?? env.LASTPASS_ACCOUNT_NUMBER);
  put('timeZone', values['time-zone'] ?? env.LASTPASS_TIME_ZONE);
  put('pageSize', integer('--page-size', values['page-size']));
  put('events', integer('--events', values.events));
  put('users', integer('--users', values.users));
  put('sharedFolders', integer('--shared-folders', values['shared-folders']));
  put('groups', integer('--groups', values.groups));
  put('invited', integer('--invited', values.invited));
  put('start', values.start);
  put('end', values.end);
  put('now', values.now);
  put('clock', values.clock);
  put('nextMode', values['next-mode']);
  put('nextType', values['next-type']);
  put('order', values.order);
  if (values['from-exclusive'] === true) put('fromInclusive', false);
  if (values['to-exclusive'] === true) put('toInclusive', false);
  put('ambiguousTime', values['ambiguous-time']);
  put('lateArrivalSeconds', integer('--late-arrival-seconds', values['late-arrival-seconds']));
  put('userPageSize', integer('--user-page-size', values['user-page-size']));
  put('folderPageSize', integer('--folder-page-size', values['folder-page-size']));
  put('unpagedFolderLimit', integer('--unpaged-folder-limit', values['unpaged-folder-limit']));
  if (values['self-audit'] === true) put('selfAudit', true);
  put('selfAuditUsername', values['self-audit-username']);
  if (values.restricted === true) put('restricted', true);
  put('restrictedResponse', values['restricted-response']);
  if (values.fault !== undefined) put('faults', values.fault.map(parseFaultFlag));
  try {
    resolveOptions(options);
  } catch (error) {
    if (error instanceof SimulatorOptionsError) {
      const flag = FLAG_OF[error.option.split('.')[0] ?? ''] ?? error.option;
      throw new SimulatorUsageError(`${flag}: ${error.message.slice(error.option.length + 2)}`);
    }
    throw error;
  }
  const port = integer('--port', values.port) ?? 18080;
  if (port > 65535) throw new SimulatorUsageError(`--port: expected 0–65535, got ${port}`);
  return { port, options, help: values.help === true };
}

/**
 * Runs the simulator until `stop` resolves (the CLI passes a promise settled by SIGINT/SIGTERM).
 * Returns the exit code: 0 stopped cleanly, 1 could not start (e.g. port in use), 2 bad usage.
 */
export async function runSimulatorCli(
  argv: readonly string[],
  io: SimulatorCliIo,
  stop: (sim: RunningSimulator) => Promise<void>,
): Promise<number> {
  let parsed;
  try {
    parsed = parseSimulatorArgs(argv, io.env);
  } catch (error) {
    if (error instanceof SimulatorUsageError) {
      io.stderr.write(`lastpass-elastic simulator: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    io.stdout.write(`${SIMULATOR_USAGE}\n`);
    return 0;
  }
  let sim: RunningSimulator;
  try {
    // a server that may run for days keeps only its latest requests (the count stays exact)
    sim = await startSimulator({ ...parsed.options, port: parsed.port, requestLogLimit: 10_000 });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.stderr.write(
      `lastpass-elastic simulator: cannot listen on 127.0.0.1:${parsed.port} (${typeof code === 'string' ? code : 'error'})\n`,
    );
    return 1;
  }
  const o = sim.options;
  io.stdout.write(
    `LastPass API simulator listening on ${sim.url}\n` +
      `account number ${o.accountNumber}, time zone ${o.timeZone}, ${o.events} events ${o.start.toISOString()} – ${o.end.toISOString()}, virtual now ${sim.clock.now().toISOString()} (${o.clock})\n` +
      `next ${o.nextMode}/${o.nextType}, order ${o.order}, page size ${o.pageSize}${o.faults.length > 0 ? `, ${o.faults.length} fault rule(s)` : ''}${o.restricted ? ', restricted to event reporting' : ''}\n`,
  );
  await stop(sim);
  await sim.close();
  io.stdout.write(`LastPass API simulator stopped after ${sim.requestCount} request(s)\n`);
  return 0;
}
