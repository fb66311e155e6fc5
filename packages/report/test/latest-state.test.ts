/**
 * The Elasticsearch reader with the package's latest-state aliases (fake Elasticsearch): the snapshot's
 * documents come from the alias when it holds all of them, else from the data streams with a note; the
 * report is the same either way. The transforms' output is written by the fake's `runLatestTransform`
 * test hook (our reading of the latest function), not by Elasticsearch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { startFakeElasticsearch, type FakeElasticsearch } from '@lastpass-elastic/ingest';
import {
  loadPackage,
  transformDestinations,
  type TransformDestination,
} from '@lastpass-elastic/package-model';
import { DEFAULT_INDICES, runPostureReport, type PostureReport } from '../src';
import { collectTenant, DAY, defaultParameters, type CollectedTenant } from './tenant-fixture';

const pkg = loadPackage(resolve(__dirname, '../../..'));
const destinations = transformDestinations(pkg);
const of = (stream: string): TransformDestination => destinations.find((d) => d.sources.includes(stream))!;
const users = of('user');
const folders = of('detailed_shared_folder');
// A short period: fewer per-day counts (the reader's cost here is the fake's, not the point).
const from = '2024-11-01T00:00:00.000Z';
const to = '2024-11-15T00:00:00.000Z';

let tenant: CollectedTenant;
let es: FakeElasticsearch;
let client: Client;

/** Loads the NDJSON into the data streams; creates the transforms' destinations as setup + _start do. */
async function load(): Promise<void> {
  for (const stream of ['user', 'detailed_shared_folder', 'event_report']) {
    const body = readFileSync(join(tenant.dir, `lastpass_enterprise.${stream}-default.ndjson`), 'utf8')
      .trim()
      .split('\n')
      .flatMap((line) => {
        const doc = JSON.parse(line) as { event: { id: string } };
        return [{ create: { _index: `logs-lastpass_enterprise.${stream}-default`, _id: doc.event.id } }, doc];
      });
    expect((await client.bulk({ operations: body, pipeline: '_none', refresh: true })).errors).toBe(false);
  }
  for (const d of destinations) {
    const t = pkg.transforms.find((x) => x.name === d.transform)!;
    // Fleet's template shape that matters here: priority 250 over the stack's data-stream `logs-*-*`.
    await client.indices.putIndexTemplate({
      name: d.indexTemplate,
      index_patterns: [d.destIndex],
      priority: 250,
    });
    await client.transform.putTransform({
      transform_id: d.transformId,
      defer_validation: true,
      ...(t.config as object),
    });
    await client.transform.startTransform({ transform_id: d.transformId });
    expect(es.runLatestTransform(d.transformId)).toBeGreaterThan(0);
  }
}

async function report(
  latest: { users?: string; folders?: string } | undefined,
  now = tenant.secondAt + DAY,
): Promise<PostureReport> {
  const dir = mkdtempSync(join(tmpdir(), 'lpe-report-latest-'));
  try {
    es.requests.length = 0;
    const { report: r } = await runPostureReport({
      input: {
        kind: 'elasticsearch',
        client,
        url: es.url,
        usersIndex: DEFAULT_INDICES.users,
        foldersIndex: DEFAULT_INDICES.folders,
        eventsIndex: DEFAULT_INDICES.events,
        snapshotSettle: '5m',
        snapshotSettleMs: 300_000,
        now: () => now,
        ...(latest === undefined ? {} : { latest }),
      },
      parameters: { ...defaultParameters, from, to },
      outDir: dir,
      now: () => new Date('2025-01-01T00:00:00Z'),
    });
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const searched = (index: string): number =>
  es.requests.filter((r) => r.path.startsWith(`/${index}/_search`)).length;
const notes = (r: PostureReport, stream: string): Record<string, string> =>
  r.accounts[0]!.coverage.streams.find((s) => s.stream === stream)!.notes;

beforeAll(async () => {
  tenant = await collectTenant();
  es = await startFakeElasticsearch();
  client = new Client({ node: es.url });
  await load();
}, 60_000);
afterAll(async () => {
  await client.close();
  await es.close();
  await tenant.sim.close();
  rmSync(tenant.dir, { recursive: true, force: true });
});

describe('posture report: latest-state aliases (fake Elasticsearch)', () => {
  let baseline: PostureReport;
  beforeAll(async () => {
    baseline = await report(undefined);
  }, 60_000);

  it('reads the snapshots from the aliases when they hold the whole chosen snapshot, with the same findings', async () => {
    const r = await report({ users: users.readName, folders: folders.readName });
    expect(r.source).toMatchObject({
      kind: 'elasticsearch',
      users_index: 'logs-lastpass_enterprise_latest.user',
      folders_index: 'logs-lastpass_enterprise_latest.detailed_shared_folder',
      events_index: DEFAULT_INDICES.events,
    });
    expect(searched(users.readName)).toBeGreaterThan(0);
    expect(searched(folders.readName)).toBeGreaterThan(0);
    const [a, b] = [r.accounts[0]!, baseline.accounts[0]!];
    expect(a.findings).toEqual(b.findings);
    expect(a.summary).toEqual(b.summary);
    expect(a.collected).toEqual(b.collected);
    expect(notes(r, 'user')).toEqual({});
    expect(a.coverage.gaps).toEqual(b.coverage.gaps);
    expect(baseline.source).toMatchObject({
      users_index: DEFAULT_INDICES.users,
      folders_index: DEFAULT_INDICES.folders,
    });
  }, 60_000);

  it('falls back to the data streams for a snapshot the alias does not fully hold, and says so', async () => {
    const dest = es.cluster.indices.get(users.destIndex)!;
    const [id, row] = [...dest.docs.entries()][0]!;
    dest.docs.delete(id);
    try {
      const r = await report({ users: users.readName, folders: folders.readName });
      const snapshot = r.accounts[0]!.collected.users_snapshot;
      const n = snapshot.documents;
      expect(notes(r, 'user')).toEqual({
        latest_state: `logs-lastpass_enterprise_latest.user holds ${n - 1} of the ${n} documents of snapshot ${snapshot.id} (the transform has not caught up): read from ${DEFAULT_INDICES.users}`,
      });
      expect(r.accounts[0]!.coverage.gaps).toContainEqual(
        expect.objectContaining({
          kind: 'collector_note',
          stream: 'user',
          detail: expect.stringMatching(/^latest_state: /),
        }),
      );
      expect(r.accounts[0]!.findings).toEqual(baseline.accounts[0]!.findings);
      expect(notes(r, 'detailed_shared_folder')).toEqual({});
    } finally {
      dest.docs.set(id, row);
    }
  }, 60_000);

  it('while the newest snapshot still arrives, the previous one comes from the data streams (the alias only has the newest)', async () => {
    const r = await report({ users: users.readName, folders: folders.readName }, tenant.secondAt + 60_000);
    const first = new Date(Math.floor(tenant.firstAt / 1000) * 1000).toISOString();
    expect(r.accounts[0]!.collected.users_snapshot.started_at).toBe(first);
    expect(notes(r, 'user')['latest_state']).toMatch(
      /holds \d+ of the \d+ documents of snapshot .* read from logs-lastpass_enterprise\.user-\*$/,
    );
  }, 60_000);

  it('uses the data streams when the aliases do not exist on the cluster', async () => {
    const r = await report({ users: 'logs-other_latest.user', folders: 'logs-other_latest.folder' });
    expect(r.source).toMatchObject({
      users_index: DEFAULT_INDICES.users,
      folders_index: DEFAULT_INDICES.folders,
    });
    expect(r.accounts[0]!.findings).toEqual(baseline.accounts[0]!.findings);
    expect(notes(r, 'user')).toEqual({});
  }, 60_000);
});
