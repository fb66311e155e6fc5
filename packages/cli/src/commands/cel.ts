import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags, positiveIntFlag, UsageError, type Command } from '../command';
import { resolvePackageRoot } from '../package-root';

const USAGE = [
  'lastpass-elastic cel --data-stream <name> --url <LastPass API URL> --account-number <n> --provisioning-hash-file <file>',
  '                     [--time-zone <IANA zone>] [--executions <n>] [--initial-interval <duration>] [--page-size <n>] [--root <dir>]',
  "    runs one data stream's Elastic Agent CEL program (data_stream/<name>/agent/stream/cel.yml.hbs) once with the",
  '    offline harness (packages/cel-harness) and prints the events it publishes as NDJSON; error events and the',
  '    cursor go to stderr. The provisioning hash is never printed. Proven only against the local harness, not an Agent.',
].join('\n');

export const cel: Command = {
  name: 'cel',
  summary: "run a data stream's Agent CEL program with the offline harness and print its events (NDJSON)",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      'data-stream': { type: 'string' },
      url: { type: 'string' },
      'account-number': { type: 'string' },
      'provisioning-hash-file': { type: 'string' },
      'time-zone': { type: 'string' },
      executions: { type: 'string' },
      'initial-interval': { type: 'string' },
      'page-size': { type: 'string' },
      root: { type: 'string' },
    });
    const root = resolvePackageRoot(io, values.root);
    const dataStream = values['data-stream'];
    if (dataStream === undefined)
      throw new UsageError('--data-stream is required (user, detailed_shared_folder or event_report)');
    if (
      !/^[a-z_]+$/.test(dataStream) ||
      !existsSync(join(root, 'data_stream', dataStream, 'agent', 'stream', 'cel.yml.hbs'))
    )
      throw new UsageError(
        `--data-stream: no CEL stream data_stream/${dataStream}/agent/stream/cel.yml.hbs in ${root}`,
      );
    const url = values.url;
    if (url === undefined || !/^https?:\/\//.test(url))
      throw new UsageError('--url is required: an http(s) URL of the LastPass API');
    const account = values['account-number'];
    if (account === undefined || !/^[0-9]+$/.test(account))
      throw new UsageError('--account-number is required: the numeric LastPass account number (CID)');
    const hashFile = values['provisioning-hash-file'];
    if (hashFile === undefined)
      throw new UsageError('--provisioning-hash-file is required: a file holding the provisioning hash');
    let hash: string;
    try {
      hash = readFileSync(resolve(io.cwd, hashFile), 'utf8').trim();
    } catch {
      // The value is never shown: it may be the hash itself, given by mistake.
      throw new UsageError(
        '--provisioning-hash-file: cannot read the file named by --provisioning-hash-file',
      );
    }
    if (hash === '')
      throw new UsageError('--provisioning-hash-file: the file named by --provisioning-hash-file is empty');
    const timeZone = values['time-zone'] ?? 'America/New_York';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      throw new UsageError(
        `--time-zone must be an IANA time zone (e.g. America/New_York), got "${timeZone}"`,
      );
    }
    const executions = positiveIntFlag('executions', values.executions);
    const pageSize = positiveIntFlag('page-size', values['page-size']);
    const initial = values['initial-interval'];
    if (initial !== undefined && !/^[0-9]+(h|m|s)$/.test(initial))
      throw new UsageError(`--initial-interval must be a duration such as 168h or 30m, got "${initial}"`);

    const { CelHarnessError, CelInput, loadStream } = await import('@lastpass-elastic/cel-harness');
    let input: InstanceType<typeof CelInput>;
    try {
      const stream = loadStream(root, dataStream, {
        url,
        account_number: account,
        provisioning_hash: hash,
        time_zone: timeZone,
        ...(pageSize === undefined ? {} : { page_size: pageSize }),
        ...(initial === undefined ? {} : { initial_interval: initial }),
      });
      const config =
        executions === undefined ? stream.config : { ...stream.config, maxExecutions: executions };
      input = new CelInput({ config, now: () => new Date() });
    } catch (e) {
      if (e instanceof CelHarnessError) throw new UsageError(`${e.code}: ${e.message.split(hash).join('*')}`);
      throw e;
    }
    const result = await input.run();
    for (const event of result.events) io.stdout.write(`${JSON.stringify(event)}\n`);
    for (const error of result.errors)
      io.stderr.write(`error event: ${JSON.stringify(error).split(hash).join('*')}\n`);
    if (result.evaluationError !== undefined)
      io.stderr.write(`evaluation failed: ${result.evaluationError.split(hash).join('*')}\n`);
    io.stderr.write(
      `${result.events.length} events in ${result.executions} executions; cursor ${JSON.stringify(result.cursor ?? null)}\n`,
    );
    return result.errors.length > 0 || result.evaluationError !== undefined ? 1 : 0;
  },
};
