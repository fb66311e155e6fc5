// Parity (contracts §3): for the same tenant, the standalone collector and the Agent's CEL program (on
// Elastic's real CEL engine, the mito binary, driven like the Agent) ship the same raw documents — compared
// as parsed JSON, once each (inputs may read a boundary second twice; the pipelines' ids absorb that).
import { collectOnce, MemorySink, type RawDocument, type StreamId } from '@lastpass-elastic/collector';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { accountFor, configFor, harness, HASH as E2E_HASH } from '../e2e/support';
import {
  ACCOUNT,
  agentDocument,
  canonical,
  describeOnMito,
  initialIntervalReaching,
  onMito,
  render,
} from './support';

jest.setTimeout(180_000);

const START = '2024-11-01T00:00:00Z';
const END = '2024-11-05T00:00:00Z';
const STAMP = { id: '<snapshot id>', started_at: '<snapshot start>' };

/** A document as JSON (no symbol keys), with the snapshot stamp replaced: it is the run's start, not the tenant's. */
function plain(doc: object): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  const le = json.lastpass_enterprise as { snapshot?: { id: string; started_at: string } } | undefined;
  if (le?.snapshot !== undefined) {
    expect(le.snapshot.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(le.snapshot.id).toBe(le.snapshot.started_at.replace(/[-:]/g, ''));
    le.snapshot = STAMP;
  }
  return json;
}
const distinct = (docs: readonly object[]): string[] => [...new Set(canonical(docs.map(plain)))];

describeOnMito('collector and CEL program (mito) ship the same raw documents for the same tenant', () => {
  let sim: RunningSimulator;
  const collected = new Map<StreamId, RawDocument[]>();
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 31,
      events: 250,
      pageSize: 30,
      users: 30,
      invited: 2,
      sharedFolders: 8,
      start: START,
      end: END,
      now: END,
      accountNumber: ACCOUNT,
      provisioningHash: E2E_HASH,
    });
    const sink = new MemorySink();
    const { deps } = harness(sim, sink);
    const base = accountFor(sim);
    const account = {
      ...base,
      eventReport: { ...base.eventReport, tags: ['forwarded', 'lastpass_enterprise-event_report'] },
      user: { ...base.user, tags: ['forwarded', 'lastpass_enterprise-user'] },
      detailedSharedFolder: {
        ...base.detailedSharedFolder,
        tags: ['forwarded', 'lastpass_enterprise-detailed_shared_folder'],
      },
    };
    const results = await collectOnce(
      configFor(account, ['event_report', 'user', 'detailed_shared_folder']),
      deps,
      { signal: new AbortController().signal, strict: false, since: Date.parse(START) - 3_600_000 },
    );
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
    for (const id of ['event_report', 'user', 'detailed_shared_folder'] as const)
      collected.set(id, [...(sink.documents.get(id)?.values() ?? [])]);
  });
  afterAll(() => sim.close());

  test.each([
    ['event_report', {}],
    ['user', { page_size: 7 }],
    ['detailed_shared_folder', { page_size: 3 }],
  ] as const)('%s', async (name, vars) => {
    const stream = render(name, sim, {
      provisioning_hash: E2E_HASH,
      initial_interval: initialIntervalReaching(START),
      ...vars,
    });
    const input = onMito(stream);
    try {
      const done = (): boolean => {
        const c = input.currentState.cursor as { in_progress?: unknown; end?: unknown } | undefined;
        return name === 'event_report' ? false : c?.in_progress === null;
      };
      const run = await input.runIntervals(120, (r) =>
        name === 'event_report' ? r.events.length === 0 && r.errors.length === 0 && !r.wantMore : done(),
      );
      expect(run.errors).toEqual([]);
      const fromCel = distinct(run.events.map((e) => agentDocument(e, stream)));
      const fromCollector = distinct(collected.get(name) ?? []);
      expect(fromCollector.length).toBeGreaterThan(name === 'event_report' ? 200 : 8);
      expect(fromCel).toEqual(fromCollector);
      // Neither input sends @timestamp (contracts §3).
      for (const d of [...run.events, ...(collected.get(name) ?? [])])
        expect(d).not.toHaveProperty('@timestamp');
    } finally {
      await input.close();
    }
  });
});
