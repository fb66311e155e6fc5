import { startSimulator, type GroundTruthEvent, type RunningSimulator } from '@lastpass-elastic/simulator';
import { ACCOUNT, HASH, agentDocument, canonical, harness, render, sortKeys } from './support';

/** contracts §3: occurrence = 0-based index among identical records (same five values, same Time). */
function expectedDocuments(events: readonly GroundTruthEvent[]): Record<string, unknown>[] {
  const seen = new Map<string, number>();
  return events.map((e) => {
    const key = JSON.stringify([
      e.record.Time,
      e.record.Username,
      e.record.IP_Address,
      e.record.Action,
      e.record.Data,
    ]);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return {
      message: JSON.stringify(e.record),
      lastpass_enterprise: { event_report: { occurrence } },
      _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      data_stream: { type: 'logs', dataset: 'lastpass_enterprise.event_report', namespace: 'default' },
      tags: ['forwarded', 'lastpass_enterprise-event_report'],
    };
  });
}

const idOf = (d: Record<string, unknown>): string =>
  JSON.stringify(
    sortKeys([
      JSON.parse(String(d.message)),
      (d.lastpass_enterprise as { event_report: unknown }).event_report,
    ]),
  );

describe('event_report CEL program against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 3,
      events: 3000,
      pageSize: 400,
      start: '2024-10-28T00:00:00Z',
      end: '2024-11-05T00:00:00Z',
      now: '2024-11-05T01:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(() => sim.close());

  test('a backfill over many pages (next) equals the ground truth, same-second repeats included', async () => {
    const stream = render('event_report', sim, { initial_interval: '240h' });
    const { input, logs } = harness(stream, sim);
    const run = await input.run();
    expect(run.errors).toEqual([]);
    expect(run.evaluationError).toBeUndefined();
    expect(run.executions).toBeGreaterThanOrEqual(8);
    const truth = sim.tenant.events.filter((e) => !e.selfAudit);
    expect(truth.length).toBe(3000);
    const expected = expectedDocuments(truth);
    expect(
      expected.some(
        (d) =>
          (d.lastpass_enterprise as { event_report: { occurrence: number } }).event_report.occurrence > 0,
      ),
    ).toBe(true);
    expect(canonical(run.events.map((e) => agentDocument(e, stream)))).toEqual(canonical(expected));
    // Window: wall-clock texts in the account zone; the cursor is the window end (now - 2 min).
    const first = sim.requests.find((r) => r.cmd === 'reporting');
    expect(first?.body).toMatchObject({
      cmd: 'reporting',
      user: 'allusers',
      apiuser: 'lastpass-elastic',
      cid: ACCOUNT,
      data: { from: '2024-10-25 21:00:00', to: '2024-11-04 19:58:00' },
    });
    expect(
      sim.requests
        .filter((r) => r.cmd === 'reporting')
        .slice(1)
        .every((r) => (r.body?.data as { next?: unknown }).next !== undefined),
    ).toBe(true);
    expect(run.cursor).toEqual({ upper: '2024-11-05T00:58:00Z', upper_local: '2024-11-04 19:58:00' });
    expect(JSON.stringify({ events: run.events, cursor: run.cursor, logs })).not.toContain(HASH);
  });

  test('cursor persistence: a restart mid-window and a later window lose nothing', async () => {
    sim.clock.set(new Date('2024-11-02T00:00:00Z'));
    const stream = render('event_report', sim, { initial_interval: '240h' });
    // First periodic run stops after 2 pages (max_executions): the cursor is not committed yet.
    const partial = harness({ ...stream, config: { ...stream.config, maxExecutions: 2 } }, sim);
    const p = await partial.input.run();
    expect(p.events.length).toBeGreaterThan(0);
    expect(p.cursor).toBeUndefined();
    // Restart: the window is read again from the start and completes.
    const second = harness(stream, sim, p.cursor);
    const r2 = await second.input.run();
    expect(r2.cursor).toEqual({ upper: '2024-11-01T23:58:00Z', upper_local: '2024-11-01 19:58:00' });
    // Restart again later (across the fall-back DST change): only the committed cursor survives.
    sim.clock.set(new Date('2024-11-05T01:00:00Z'));
    const third = harness(stream, sim, JSON.parse(JSON.stringify(r2.cursor)) as unknown);
    const r3 = await third.input.run();
    expect(r3.errors).toEqual([]);
    const firstRequest = sim.requests.filter((r) => r.cmd === 'reporting').at(-Math.max(1, r3.executions));
    expect((firstRequest?.body?.data as { from: string }).from).toBe('2024-11-01 19:53:00');
    const union = new Set([...p.events, ...r2.events, ...r3.events].map(idOf));
    const truth = expectedDocuments(sim.tenant.events.filter((e) => !e.selfAudit));
    expect([...union].sort()).toEqual(truth.map(idOf).sort());
  });

  test('XML Authorization Error → one error event without the hash; 429 → error, retried next interval', async () => {
    sim.clock.set(new Date('2024-11-05T01:00:00Z'));
    const bad = render('event_report', sim, {
      provisioning_hash: 'wrong-hash-value-123',
      initial_interval: '1h',
    });
    const { input, logs } = harness(bad, sim);
    const r = await input.run();
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([
      {
        code: 'LASTPASS_AUTH_FAILED',
        id: 'Authorization Error',
        message:
          'reporting: LastPass refused the credentials (Authorization Error): check the account number and the provisioning hash',
      },
    ]);
    expect(JSON.stringify({ r, logs })).not.toContain('wrong-hash-value-123');
    expect(r.cursor).toBeUndefined();

    const good = render('event_report', sim, { initial_interval: '24h' });
    const h = harness(good, sim);
    sim.addFault({ kind: 'rate-limit', command: 'reporting', count: 1 });
    const limited = await h.input.run();
    expect(limited.errors).toEqual([
      expect.objectContaining({ code: 'LASTPASS_RATE_LIMITED', id: '429 Too Many Requests' }),
    ]);
    expect(limited.cursor).toBeUndefined();
    const retried = await h.input.run();
    expect(retried.errors).toEqual([]);
    expect(retried.cursor).toEqual({ upper: '2024-11-05T00:58:00Z', upper_local: '2024-11-04 19:58:00' });
  });
});

describe.each([
  { order: 'oldest-first' as const },
  { fromInclusive: false, toInclusive: false },
  { nextType: 'string' as const },
])('event_report CEL program, simulator variant %j', (variant) => {
  test('a paged backfill equals the ground truth', async () => {
    const sim = await startSimulator({
      seed: 4,
      events: 1200,
      pageSize: 150,
      start: '2024-10-28T00:00:00Z',
      end: '2024-11-05T00:00:00Z',
      now: '2024-11-05T01:00:00Z',
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
      ...variant,
    });
    try {
      const stream = render('event_report', sim, { initial_interval: '240h' });
      const run = await harness(stream, sim).input.run();
      expect(run.errors).toEqual([]);
      expect(run.executions).toBeGreaterThanOrEqual(8);
      const truth = expectedDocuments(sim.tenant.events.filter((e) => !e.selfAudit));
      expect(canonical(run.events.map((e) => agentDocument(e, stream)))).toEqual(canonical(truth));
    } finally {
      await sim.close();
    }
  });
});

test('event_report: 5xx and a truncated JSON answer are error events; the window is read again', async () => {
  const sim = await startSimulator({
    seed: 8,
    events: 300,
    start: '2024-11-01T00:00:00Z',
    end: '2024-11-05T00:00:00Z',
    now: '2024-11-05T01:00:00Z',
    accountNumber: ACCOUNT,
    provisioningHash: HASH,
    faults: [
      { kind: 'server-error', command: 'reporting', count: 1 },
      { kind: 'truncated', command: 'reporting', after: 1, count: 1 },
    ],
  });
  try {
    const { input } = harness(render('event_report', sim, { initial_interval: '240h' }), sim);
    const first = await input.run();
    expect(first.errors).toEqual([
      expect.objectContaining({ code: 'LASTPASS_UNAVAILABLE', id: '503 Service Unavailable' }),
    ]);
    const second = await input.run();
    expect(second.errors).toEqual([expect.objectContaining({ code: 'LASTPASS_REPORT_FAILED' })]);
    expect(second.cursor).toBeUndefined();
    const third = await input.run();
    expect(third.errors).toEqual([]);
    expect(third.events).toHaveLength(300);
  } finally {
    await sim.close();
  }
});
