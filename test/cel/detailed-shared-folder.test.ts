import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, agentDocument, canonical, harness, render } from './support';

const NOW = '2024-11-15T12:00:00.000Z';

describe('detailed_shared_folder CEL program against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 11,
      sharedFolders: 12,
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
      now: NOW,
    });
  });
  afterAll(() => sim.close());

  test('one document per (folder, member) over several pages; empty folders once, without users', async () => {
    const stream = render('detailed_shared_folder', sim, { page_size: 5, preserve_original_event: true });
    const { input, logs } = harness(stream, sim);
    const run = await input.run();
    expect(run.errors).toEqual([]);
    expect(run.evaluationError).toBeUndefined();
    expect(run.executions).toBe(3);
    const expected = sim.tenant.sharedFolders.flatMap((f) => {
      const { users, id, ...rest } = f;
      const folder = { ...rest, id };
      return users.length === 0 ? [folder] : users.map((member) => ({ ...folder, users: member }));
    });
    expect(sim.tenant.sharedFolders.some((f) => f.users.length === 0)).toBe(true);
    const docs = expected.map((message) => ({
      message: JSON.stringify(message),
      '@timestamp': '2024-11-15T12:00:00Z',
      lastpass_enterprise: { snapshot: { id: '20241115T120000Z' } },
      _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      data_stream: {
        type: 'logs',
        dataset: 'lastpass_enterprise.detailed_shared_folder',
        namespace: 'default',
      },
      tags: ['preserve_original_event', 'forwarded', 'lastpass_enterprise-detailed_shared_folder'],
    }));
    expect(canonical(run.events.map((e) => agentDocument(e, stream)))).toEqual(canonical(docs));
    const requests = sim.requests.filter((r) => r.cmd === 'getdetailedsfdata');
    expect(requests.map((r) => r.body?.data)).toEqual(
      [0, 1, 2].map((i) => ({ data: 'all', pagesize: 5, pageindex: i })),
    );
    expect(JSON.stringify({ events: run.events, cursor: run.cursor, logs })).not.toContain(HASH);
  });

  test('429 → one error event, cursor unchanged, the snapshot resumes at the next interval', async () => {
    const stream = render('detailed_shared_folder', sim, { page_size: 5 });
    const { input } = harness(stream, sim);
    sim.addFault({ kind: 'rate-limit', command: 'getdetailedsfdata', after: 1, count: 1 });
    const first = await input.run();
    expect(first.events.length).toBeGreaterThan(0);
    expect(first.errors).toEqual([
      expect.objectContaining({ code: 'LASTPASS_RATE_LIMITED', id: '429 Too Many Requests' }),
    ]);
    expect(first.cursor).toMatchObject({ in_progress: { next_page_index: 1 } });
    const second = await input.run();
    expect(second.errors).toEqual([]);
    expect(second.cursor).toMatchObject({ in_progress: null, last_complete: { id: '20241115T120000Z' } });
    const folders = new Set(
      [...first.events, ...second.events].map((e) => (JSON.parse(String(e.message)) as { id: string }).id),
    );
    expect(folders.size).toBe(12);
  });
});
