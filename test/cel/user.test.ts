import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, agentDocument, canonical, harness, render, withoutPasswordKeys } from './support';

const NOW = '2024-11-15T12:00:00.000Z';

describe('user CEL program against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 7,
      users: 45,
      invited: 3,
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
      now: NOW,
    });
  });
  afterAll(() => sim.close());

  test('one paged snapshot: every user and invitee, contracts §3 raw documents', async () => {
    const stream = render('user', sim, { page_size: 20, tags: ['forwarded', 'lastpass_enterprise-user'] });
    const { input, logs } = harness(stream, sim);
    const run = await input.run();
    expect(run.errors).toEqual([]);
    expect(run.evaluationError).toBeUndefined();
    expect(run.executions).toBe(3);
    const snapshot = { id: '20241115T120000Z', ts: '2024-11-15T12:00:00Z' };
    const expected = [
      ...sim.tenant.users.map((u) => ({ ...(withoutPasswordKeys(u.record) as object), id: u.id })),
      ...sim.tenant.invited.map((email) => ({ username: email, invited: true })),
    ].map((message) => ({
      message: JSON.stringify(message),
      '@timestamp': snapshot.ts,
      lastpass_enterprise: { snapshot: { id: snapshot.id } },
      _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      data_stream: { type: 'logs', dataset: 'lastpass_enterprise.user', namespace: 'default' },
      tags: ['forwarded', 'lastpass_enterprise-user'],
    }));
    expect(canonical(run.events.map((e) => agentDocument(e, stream)))).toEqual(canonical(expected));
    expect(
      sim.tenant.users.some((u) => u.record.attribs !== undefined && 'password' in u.record.attribs),
    ).toBe(true);
    expect(run.cursor).toEqual({
      in_progress: null,
      last_complete: { id: snapshot.id, started_at: snapshot.ts, completed_at: snapshot.ts },
    });
    const userRequests = sim.requests.filter((r) => r.cmd === 'getuserdata').slice(-3);
    expect(userRequests.map((r) => r.body?.data)).toEqual([
      { pagesize: 20, pageindex: 0 },
      { pagesize: 20, pageindex: 1 },
      { pagesize: 20, pageindex: 2 },
    ]);
    expect(
      userRequests.every(
        (r) => r.apiUser === 'lastpass-elastic' && r.contentType.startsWith('application/json'),
      ),
    ).toBe(true);
    const visible = JSON.stringify({ events: run.events, cursor: run.cursor, logs });
    expect(visible).not.toContain(HASH);
    expect(input.currentState.provhash).toBe(HASH);
  });

  test('a restart mid-snapshot resumes with the same snapshot id and @timestamp (no loss)', async () => {
    const stream = render('user', sim, { page_size: 20 });
    const first = harness({ ...stream, config: { ...stream.config, maxExecutions: 1 } }, sim);
    const page0 = await first.input.run();
    expect(page0.events).toHaveLength(23); // 20 users + 3 invitees on page 0
    const cursor = JSON.parse(JSON.stringify(page0.cursor)) as unknown;
    expect(cursor).toMatchObject({ in_progress: { id: '20241115T120000Z', next_page_index: 1 } });
    sim.clock.advance(3_600_000);
    const second = harness(stream, sim, cursor);
    const rest = await second.input.run();
    expect(rest.events).toHaveLength(25);
    const ids = new Set([...page0.events, ...rest.events].map((e) => JSON.stringify(e.lastpass_enterprise)));
    expect([...ids]).toEqual([JSON.stringify({ snapshot: { id: '20241115T120000Z' } })]);
    const users = [...page0.events, ...rest.events]
      .map((e) => (JSON.parse(String(e.message)) as { id?: string }).id)
      .filter((id) => id !== undefined);
    expect(new Set(users).size).toBe(45);
    expect(rest.cursor).toMatchObject({
      in_progress: null,
      last_complete: { id: '20241115T120000Z', completed_at: '2024-11-15T13:00:00Z' },
    });
    sim.clock.set(new Date(NOW));
  });
});
