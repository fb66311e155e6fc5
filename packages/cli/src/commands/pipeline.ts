import { createInterface } from 'node:readline';
import type { Executor } from '@lastpass-elastic/ingest';
import type { PackageModel } from '@lastpass-elastic/package-model';
import { resolvePackageRoot } from '../package-root';
import { parseFlags, UsageError, type Command, type CommandIo } from '../command';

const USAGE = [
  'lastpass-elastic pipeline --data-stream <name> [--time-zone <IANA zone>] [--account-number <n>] [--namespace <ns>] [--root <dir>]',
  '    reads raw documents (NDJSON) on stdin, runs the package pipeline locally, writes one line per input:',
  '    {"_index","_id","_source"} | {"error":{"type","reason"}} | {"dropped":true}',
  'lastpass-elastic pipeline --test [--update] [--data-stream <name>] [--root <dir>]',
  "    runs the package's pipeline tests (data_stream/*/_dev/test/pipeline) on the local executor",
].join('\n');

/** The package root: --root, else the working directory when it holds a package, else this checkout. */
type JsonMap = Record<string, unknown>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fills the input-set fields (contracts §3) a document lacks. */
export function fillInputFields(
  doc: JsonMap,
  dataset: string,
  fill: { timeZone?: string; accountNumber?: string; namespace?: string },
): JsonMap {
  const conf: JsonMap = isMap(doc['_conf']) ? { ...doc['_conf'] } : {};
  if (conf['time_zone'] === undefined && fill.timeZone !== undefined) conf['time_zone'] = fill.timeZone;
  if (conf['account_number'] === undefined && fill.accountNumber !== undefined)
    conf['account_number'] = fill.accountNumber;
  const ds: JsonMap = isMap(doc['data_stream']) ? { ...doc['data_stream'] } : {};
  ds['type'] ??= 'logs';
  ds['dataset'] ??= dataset;
  if (ds['namespace'] === undefined) ds['namespace'] = fill.namespace ?? 'default';
  const out: JsonMap = { ...doc, data_stream: ds };
  if (Object.keys(conf).length > 0) out['_conf'] = conf;
  return out;
}

async function runTests(
  pkg: PackageModel,
  update: boolean,
  dataStreams: string[] | undefined,
  io: CommandIo,
): Promise<number> {
  const { compareWithCluster, runPipelineTests } = await import('@lastpass-elastic/ingest');
  const report = runPipelineTests(pkg, { update, ...(dataStreams !== undefined ? { dataStreams } : {}) });
  for (const c of report.cases) {
    io.stdout.write(
      `${c.passed ? 'PASS' : 'FAIL'}  ${c.dataStream}/${c.file}${c.updated ? ' (updated)' : ''}\n`,
    );
    for (const f of c.failures) io.stdout.write(`      ${f}\n`);
  }
  for (const w of report.written) io.stdout.write(`wrote ${w}\n`);
  io.stdout.write(`${report.passed} passed, ${report.failed} failed\n`);
  const url = io.env['TEST_ELASTICSEARCH_URL'];
  if (url === undefined || url === '') {
    io.stdout.write('real-cluster comparison skipped: TEST_ELASTICSEARCH_URL is not set\n');
    return report.failed === 0 ? 0 : 1;
  }
  const compared = await compareWithCluster(pkg, url, dataStreams === undefined ? {} : { dataStreams });
  let differing = 0;
  for (const c of compared) {
    if (c.differences.length > 0) differing += 1;
    io.stdout.write(
      `${c.differences.length === 0 ? 'SAME' : 'DIFF'}  ${c.dataStream}/${c.file} (local vs ${url} _simulate)\n`,
    );
    for (const d of c.differences) io.stdout.write(`      ${d}\n`);
  }
  io.stdout.write(`real cluster: ${compared.length - differing} cases identical, ${differing} different\n`);
  return report.failed === 0 && differing === 0 ? 0 : 1;
}

async function runStream(
  executor: Executor,
  pipeline: string,
  dataset: string,
  fill: Parameters<typeof fillInputFields>[2],
  io: CommandIo,
): Promise<void> {
  const { parseJson } = await import('@lastpass-elastic/ingest');
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let out: unknown;
    let parsed: unknown;
    try {
      parsed = parseJson(line);
    } catch (e) {
      parsed = undefined;
      out = {
        error: {
          type: 'json_parse_exception',
          reason: `input line is not JSON: ${e instanceof Error ? e.message : String(e)}`,
        },
      };
    }
    if (out === undefined) {
      if (!isMap(parsed)) {
        out = {
          error: {
            type: 'illegal_argument_exception',
            reason: 'input line must be a JSON object (a raw document)',
          },
        };
      } else {
        const source = fillInputFields(parsed, dataset, fill);
        const ds = source['data_stream'] as JsonMap;
        const index = `logs-${String(ds['dataset'])}-${String(ds['namespace'])}`;
        const r = executor.process(pipeline, { _index: index, _source: source });
        out =
          r.kind === 'indexed'
            ? { _index: r._index, _id: r._id, _source: r._source }
            : r.kind === 'error'
              ? { error: r.error }
              : { dropped: true };
      }
    }
    io.stdout.write(`${JSON.stringify(out)}\n`);
  }
}

export const pipeline: Command = {
  name: 'pipeline',
  summary:
    'run the package ingest pipeline locally on NDJSON (stdin → stdout), or its pipeline tests (--test)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      'data-stream': { type: 'string' },
      'time-zone': { type: 'string' },
      'account-number': { type: 'string' },
      namespace: { type: 'string' },
      root: { type: 'string' },
      test: { type: 'boolean' },
      update: { type: 'boolean' },
    });
    const root = resolvePackageRoot(io, values.root);
    const { fleetPipelineName, loadPackage } = await import('@lastpass-elastic/package-model');
    let pkg: PackageModel;
    try {
      pkg = loadPackage(root);
    } catch (e) {
      throw new UsageError(
        `--root: cannot load the package at ${root}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const names = pkg.dataStreams.map((d) => d.name);
    const streamName = values['data-stream'];
    if (streamName !== undefined && !names.includes(streamName)) {
      throw new UsageError(`--data-stream must be one of ${names.join(', ')}, got "${streamName}"`);
    }
    if (values.test === true)
      return runTests(pkg, values.update === true, streamName === undefined ? undefined : [streamName], io);
    if (values.update === true) throw new UsageError('--update is only valid with --test');
    if (streamName === undefined)
      throw new UsageError(`--data-stream is required (one of ${names.join(', ')})`);
    const namespace = values.namespace;
    if (namespace !== undefined && !/^[a-z0-9_]+$/.test(namespace)) {
      throw new UsageError(
        `--namespace must be lowercase letters, digits or "_" (Fleet's rules), got "${namespace}"`,
      );
    }
    const timeZone = values['time-zone'];
    if (timeZone !== undefined && !isTimeZone(timeZone)) {
      throw new UsageError(
        `--time-zone must be an IANA time zone such as America/New_York, got "${timeZone}"`,
      );
    }
    const accountNumber = values['account-number'];
    if (accountNumber !== undefined && !/^\d+$/.test(accountNumber)) {
      throw new UsageError(
        `--account-number must be the LastPass account number (digits), got "${accountNumber}"`,
      );
    }
    const ds = pkg.dataStreams.find((d) => d.name === streamName);
    if (ds === undefined) throw new UsageError(`--data-stream: unknown data stream "${streamName}"`);
    const { createExecutor, loadPackagePipelines } = await import('@lastpass-elastic/ingest');
    let executor: Executor;
    try {
      executor = createExecutor({ pipelines: loadPackagePipelines(pkg) });
    } catch (e) {
      io.stderr.write(
        `lastpass-elastic pipeline: cannot load the pipelines of ${ds.name}: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      return 1;
    }
    await runStream(
      executor,
      fleetPipelineName(pkg, ds),
      ds.dataset,
      {
        ...(values['time-zone'] !== undefined ? { timeZone: values['time-zone'] } : {}),
        ...(values['account-number'] !== undefined ? { accountNumber: values['account-number'] } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
      },
      io,
    );
    return 0;
  },
};
