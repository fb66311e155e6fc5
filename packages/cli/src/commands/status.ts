import { resolve } from 'node:path';
import { parseFlags, UsageError, type Command } from '../command';

/** Only the state location matters here: --state-dir > LASTPASS_ELASTIC_STATE_DIR > config file > default. */
async function stateDirOf(
  flag: string | undefined,
  config: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string> {
  if (flag !== undefined) return resolve(cwd, flag);
  const fromEnv = env.LASTPASS_ELASTIC_STATE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(cwd, fromEnv);
  const { DEFAULTS, isCollectorError, loadConfigFile } = await import('@lastpass-elastic/collector');
  const file = config ?? env.LASTPASS_ELASTIC_CONFIG;
  if (file !== undefined && file !== '') {
    try {
      const parsed = loadConfigFile(
        resolve(cwd, file),
        config === undefined ? 'LASTPASS_ELASTIC_CONFIG' : '--config',
      );
      if (parsed.state_dir !== undefined) return resolve(cwd, parsed.state_dir);
    } catch (error) {
      if (isCollectorError(error)) throw new UsageError(error.message);
      throw error;
    }
  }
  return resolve(cwd, DEFAULTS.stateDir);
}

const USAGE = `Usage: lastpass-elastic status [--config <file>] [--state-dir <dir>] [--json]

Per account and stream: last success, cursor, lag, last error, dead-letter count and notes
(time-zone self-check, account policy), read from the state directory.
  --config     the collector's YAML config (or LASTPASS_ELASTIC_CONFIG), for its state_dir
  --state-dir  the state folder (or LASTPASS_ELASTIC_STATE_DIR; default ./state)
  --json       one JSON array: per row also lag_seconds (a number, for monitoring)`;

export const status: Command = {
  name: 'status',
  summary: 'show per-stream collection state: last success, cursor, lag, errors, dead letters',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      config: { type: 'string' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
    });
    const stateDir = await stateDirOf(values['state-dir'], values.config, io.env, io.cwd);
    const { readStatus } = await import('@lastpass-elastic/collector');
    const rows = await readStatus(stateDir, Date.now());
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      io.stdout.write(`no state in ${stateDir} yet (run \`lastpass-elastic collect\`)\n`);
      return 0;
    }
    const table = [
      ['account', 'stream', 'last success', 'cursor', 'lag', 'dead letters', 'last error'],
      ...rows.map((r) => [
        r.account_number,
        r.stream,
        r.last_success ?? '-',
        r.cursor ?? '-',
        r.lag ?? '-',
        String(r.dead_letters),
        r.last_error ?? '-',
      ]),
    ];
    const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
    for (const row of table)
      io.stdout.write(
        `${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
      );
    for (const r of rows)
      for (const [key, note] of Object.entries(r.notes))
        io.stdout.write(`${r.account_number} ${r.stream} ${key}: ${note}\n`);
    io.stdout.write(`state: ${stateDir}\n`);
    return 0;
  },
};
