/**
 * `report posture`: read (NDJSON or Elasticsearch) → findings (pure) → posture.json + posture.html,
 * written atomically. The readers are the only I/O besides the final write.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError } from './errors';
import { buildAccountReport } from './findings';
import { renderHtml } from './html';
import type { AccountData } from './model';
import type { ElasticsearchInput } from './readers/elasticsearch';
import {
  POSTURE_SCHEMA,
  postureReportSchema,
  type PostureReport,
  type ReportParameters,
  type ReportSource,
} from './schema';
import { writeAtomically } from './write';

export type PostureInput =
  | { kind: 'ndjson'; inputDir: string; stateDir: string | null }
  | ({ kind: 'elasticsearch' } & ElasticsearchInput);

export interface PostureOptions {
  input: PostureInput;
  parameters: ReportParameters;
  outDir: string;
  /** `generated_at`; injected so tests are deterministic. */
  now: () => Date;
}

export interface PostureResult {
  report: PostureReport;
  json: string;
  html: string;
  files: string[];
}

function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function read(
  input: PostureInput,
  params: ReportParameters,
): Promise<{ accounts: AccountData[]; source: ReportSource }> {
  if (input.kind === 'ndjson') {
    const { readNdjson } = await import('./readers/ndjson.js');
    return {
      accounts: await readNdjson(input, params),
      source: { kind: 'ndjson', input_dir: input.inputDir, state_dir: input.stateDir },
    };
  }
  const { readElasticsearch } = await import('./readers/elasticsearch.js');
  const read = await readElasticsearch(input, params);
  return {
    accounts: read.accounts,
    source: {
      kind: 'elasticsearch',
      url: input.url,
      users_index: read.usersIndex,
      folders_index: read.foldersIndex,
      events_index: input.eventsIndex,
      snapshot_settle: input.snapshotSettle,
    },
  };
}

/** Builds the report from the data in memory (pure apart from the injected clock). */
export function assembleReport(
  accounts: readonly AccountData[],
  source: ReportSource,
  parameters: ReportParameters,
  now: Date,
): PostureReport {
  const report: PostureReport = {
    schema: POSTURE_SCHEMA,
    generated_at: now.toISOString(),
    generator: { name: 'lastpass-elastic', version: version() },
    source,
    parameters,
    accounts: [...accounts]
      .sort((a, b) => (a.account < b.account ? -1 : 1))
      .map((a) => buildAccountReport(a, parameters)),
  };
  const checked = postureReportSchema.safeParse(report);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ReportError(
      'REPORT_INVALID',
      `internal error: the report does not match its schema at ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  return report;
}

export async function runPostureReport(options: PostureOptions): Promise<PostureResult> {
  const { accounts, source } = await read(options.input, options.parameters);
  const report = assembleReport(accounts, source, options.parameters, options.now());
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const html = renderHtml(report);
  const files = writeAtomically(options.outDir, { 'posture.json': json, 'posture.html': html });
  return { report, json, html, files };
}
