import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags, positiveIntFlag, UsageError, type Command } from '../command';
import { resolvePackageRoot } from '../package-root';

const USAGE = [
  'lastpass-elastic cel --data-stream <name> --url <LastPass API URL> --account-number <n> --provisioning-hash-file <file>',
  '                     [--time-zone <IANA zone>] [--executions <n>] [--intervals <n>] [--initial-interval <duration>]',
  '                     [--page-size <n>] [--engine auto|mito|emulation] [--mito <path>] [--root <dir>]',
  "    runs one data stream's Elastic Agent CEL program (data_stream/<name>/agent/stream/cel.yml.hbs) as the Agent's CEL",
  '    input would (packages/cel-harness: rendered like Fleet, the resource.retry settings, the cursor kept only with',
  '    published events) for --intervals periodic runs (default 1), and prints the events it publishes as NDJSON; error',
  "    events and the cursor go to stderr. The hash is never printed. --engine mito runs Elastic's real CEL engine, the",
  '    mito binary (--mito, else MITO_BIN, else ../shared/mito/mito beside the package); emulation runs our cel-js stand-in;',
  '    auto (the default) takes mito when it is found. Neither is an Elastic Agent.',
].join('\n');

export const cel: Command = {
  name: 'cel',
  summary: "run a data stream's Agent CEL program (on mito or the emulation) and print its events (NDJSON)",
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
      intervals: { type: 'string' },
      engine: { type: 'string' },
      mito: { type: 'string' },
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
    const intervals = positiveIntFlag('intervals', values.intervals) ?? 1;
    const engineFlag = values.engine ?? 'auto';
    if (engineFlag !== 'auto' && engineFlag !== 'mito' && engineFlag !== 'emulation')
      throw new UsageError(`--engine must be auto, mito or emulation, got "${engineFlag}"`);
    const pageSize = positiveIntFlag('page-size', values['page-size']);
    const initial = values['initial-interval'];
    if (initial !== undefined && !/^[0-9]+(h|m|s)$/.test(initial))
      throw new UsageError(`--initial-interval must be a duration such as 168h or 30m, got "${initial}"`);

    const { AgentInput, CelHarnessError, loadStream, locateMito } =
      await import('@lastpass-elastic/cel-harness');
    let mito: { path: string; source: string } | undefined;
    if (values.mito !== undefined) {
      const path = resolve(io.cwd, values.mito);
      if (!existsSync(path)) throw new UsageError(`--mito: no file at ${values.mito}`);
      mito = { path, source: '--mito' };
    } else if (engineFlag !== 'emulation') mito = locateMito(root, io.env);
    if (engineFlag === 'mito' && mito === undefined)
      throw new UsageError('--engine mito: no mito binary (give --mito <path> or set MITO_BIN)');
    const engine = engineFlag === 'emulation' || mito === undefined ? 'emulation' : 'mito';
    io.stderr.write(
      engine === 'mito'
        ? `engine: mito (Elastic's CEL engine) from ${mito?.source ?? ''}: ${mito?.path ?? ''}\n`
        : "engine: emulation (cel-js stand-in for mito, not Elastic's engine; see packages/cel-harness/README.md)\n",
    );
    let input: InstanceType<typeof AgentInput>;
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
      input = new AgentInput({
        config,
        engine,
        ...(mito === undefined ? {} : { mitoBin: mito.path }),
      });
    } catch (e) {
      if (e instanceof CelHarnessError) throw new UsageError(`${e.code}: ${e.message.split(hash).join('*')}`);
      throw e;
    }
    let result;
    try {
      result = await input.runIntervals(intervals, () => false);
    } finally {
      await input.close();
    }
    for (const event of result.events) io.stdout.write(`${JSON.stringify(event)}\n`);
    for (const error of result.errors)
      io.stderr.write(`error event: ${JSON.stringify(error).split(hash).join('*')}\n`);
    if (result.evaluationError !== undefined)
      io.stderr.write(`evaluation failed: ${result.evaluationError.split(hash).join('*')}\n`);
    const retries = input.http.retries > 0 ? `, ${input.http.retries} HTTP retries` : '';
    io.stderr.write(
      `${result.events.length} events in ${result.executions} executions over ${result.runs} periodic runs${retries}; cursor ${JSON.stringify(
        result.cursor ?? null,
      )
        .split(hash)
        .join('*')}\n`,
    );
    return result.errors.length > 0 || result.evaluationError !== undefined ? 1 : 0;
  },
};
