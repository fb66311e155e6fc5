// The raw documents the Agent's CEL programs publish on the real engine (mito), plus what the Agent adds
// (data_stream, tags and its own @timestamp: the publish time), go through the package's ingest
// pipelines without errors: each gets a distinct _id, @timestamp is the event time (event_report) or the
// snapshot start (users, folders), and the result validates against the data stream's fields. Error
// events are indexed too, visibly: event.kind pipeline_error with the program's error.code and message.
import { createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import { fleetPipelineName, loadPackage, validateDocument } from '@lastpass-elastic/package-model';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import {
  ACCOUNT,
  agentDocument,
  describeOnMito,
  HASH,
  initialIntervalReaching,
  onMito,
  render,
  ROOT,
} from './support';

jest.setTimeout(120_000);

const pkg = loadPackage(ROOT);
const executor = createExecutor({
  pipelines: loadPackagePipelines(pkg),
  now: () => new Date('2024-11-05T01:00:00Z'),
});
const PUBLISHED_AT = '2026-01-01T00:00:00.123Z'; // what the Agent puts in @timestamp: the publish time

function ingest(name: string, source: Record<string, unknown>) {
  const ds = pkg.dataStreams.find((d) => d.name === name);
  if (ds === undefined) throw new Error(name);
  const result = executor.process(fleetPipelineName(pkg, ds), {
    _index: `logs-lastpass_enterprise.${name}-default`,
    _source: source,
  });
  return { ds, result };
}

describeOnMito('CEL documents (mito) through the package pipelines', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 9,
      events: 150,
      pageSize: 60,
      users: 25,
      sharedFolders: 8,
      start: '2024-11-02T00:00:00Z',
      end: '2024-11-05T00:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(() => sim.close());

  test.each(['event_report', 'user', 'detailed_shared_folder'])('%s', async (name) => {
    const stream = render(name, sim, {
      initial_interval: initialIntervalReaching('2024-11-02T00:00:00Z'),
      page_size: 10,
    });
    const input = onMito(stream);
    try {
      // Until the backfill is read (event_report) or one snapshot is complete (users, folders).
      const run = await input.runIntervals(60, (r) =>
        name === 'event_report'
          ? r.events.length === 0 && !r.wantMore
          : (input.currentState.cursor as { in_progress?: unknown }).in_progress === null,
      );
      expect(run.errors).toEqual([]);
      expect(run.events.length).toBeGreaterThan(20);
      const ids = new Set<string>();
      for (const event of run.events) {
        const { ds, result } = ingest(name, { ...agentDocument(event, stream), '@timestamp': PUBLISHED_AT });
        if (result.kind !== 'indexed') throw new Error(`${name}: ${JSON.stringify(result)}`);
        expect(result._id).toBeDefined();
        ids.add(String(result._id));
        expect(validateDocument(ds, result._source)).toEqual([]);
        expect(result._source.event).not.toHaveProperty('kind', 'pipeline_error');
        // The pipeline replaced the Agent's @timestamp with the event time / snapshot start.
        const ts = String(result._source['@timestamp']);
        expect(ts).not.toBe(PUBLISHED_AT);
        if (name !== 'event_report') {
          const snapshot = (result._source.lastpass_enterprise as { snapshot: { started_at: string } })
            .snapshot;
          expect(Date.parse(ts)).toBe(Date.parse(snapshot.started_at));
        }
        expect(JSON.stringify(result._source)).not.toContain(HASH);
      }
      expect(ids.size).toBe(new Set(run.events.map((e) => JSON.stringify(e))).size);
      if (name !== 'event_report') expect(ids.size).toBe(run.events.length);
    } finally {
      await input.close();
    }
  });

  test('error events are indexed where a user sees them: event.kind pipeline_error, error.code, error.message', async () => {
    const stream = render('event_report', sim, {
      provisioning_hash: 'wrong-hash-value-123',
      initial_interval: '1h',
    });
    const input = onMito(stream);
    try {
      const run = await input.runInterval();
      expect(run.errorEvents).toHaveLength(1);
      const malformed = {
        error: {
          code: 'LASTPASS_MALFORMED_RECORD',
          id: 'Event2',
          message: 'reporting: Event2 ... was skipped: 42',
        },
        _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      };
      for (const event of [...run.errorEvents, malformed]) {
        const { ds, result } = ingest('event_report', {
          ...agentDocument(event, stream),
          '@timestamp': PUBLISHED_AT,
        });
        if (result.kind !== 'indexed') throw new Error(JSON.stringify(result));
        expect(result._source).toMatchObject({
          event: { kind: 'pipeline_error' },
          error: { code: (event.error as { code: string }).code },
          '@timestamp': PUBLISHED_AT,
        });
        expect((result._source.error as { message: string[] }).message[0]).toBe(
          (event.error as { message: string }).message,
        );
        expect(validateDocument(ds, result._source)).toEqual([]);
        expect(JSON.stringify(result._source)).not.toContain('wrong-hash-value-123');
      }
    } finally {
      await input.close();
    }
  });
});
