// The event_report program on Elastic's real CEL engine (the mito binary), run interval after interval
// by the Agent-like driver (AgentInput: the Beats CEL input's loop, resource.retry in a proxy, one
// evaluation per mito process), against the LastPass simulator's ground truth.
import type {
  AgentInput,
  PeriodicRunResult,
  ProxiedAnswer,
  RetrySettings,
} from '@lastpass-elastic/cel-harness';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptionsInput,
} from '@lastpass-elastic/simulator';
import {
  ACCOUNT,
  describeOnMito,
  HASH,
  initialIntervalReaching,
  onMito,
  publishedPairs,
  render,
  truthPairs,
} from './support';

jest.setTimeout(240_000);

// Four days around the 2024 fall-back in New York (2024-11-03: 01:00-01:59 happens twice).
const START = '2024-11-01T00:00:00Z';
const END = '2024-11-05T00:00:00Z';
const NO_RETRY: RetrySettings = { maxAttempts: 1, waitMinMs: 2000, waitMaxMs: 60_000 };
/** The tenant of the backfills: 300 events, a page of 25 (page splits), same-second repeats, the fall-back. */
const TENANT: SimulatorOptionsInput = {
  seed: 21,
  events: 300,
  pageSize: 25,
  start: START,
  end: END,
  accountNumber: ACCOUNT,
  provisioningHash: HASH,
};

interface Backfill {
  sim: RunningSimulator;
  input: AgentInput;
  run: PeriodicRunResult & { runs: number };
  /** Answers to `reporting` that were full (had `next`): the program had to split its window there. */
  fullAnswers: number;
  /** The program's requests as the Agent's HTTP client saw them (after its retries). */
  exchanges: { from: string; to: string; status: number; publishedBefore: number }[];
}

async function backfill(
  simOptions: SimulatorOptionsInput,
  options: {
    retry?: RetrySettings;
    rewrite?: (answer: ProxiedAnswer) => ProxiedAnswer;
    /** Restart the Agent (in-memory state lost, persisted cursor kept) after each of the first runs. */
    restartAfterRuns?: number;
  } = {},
): Promise<Backfill> {
  const sim = await startSimulator({ ...TENANT, ...simOptions });
  const stream = render('event_report', sim, { initial_interval: initialIntervalReaching(START) });
  let fullAnswers = 0;
  const exchanges: Backfill['exchanges'] = [];
  let published = 0;
  const input = onMito(stream, {
    log: (e) => {
      if (e.kind === 'result') published += e.events;
      if (e.kind !== 'http') return;
      const data = (JSON.parse(e.body) as { data: { from: string; to: string } }).data;
      exchanges.push({ from: data.from, to: data.to, status: e.status, publishedBefore: published });
    },
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    rewrite: (_req, answer) => {
      const text = answer.body.toString('utf8');
      if (answer.status === 200 && /"next":(?!null)/.test(text)) fullAnswers += 1;
      return options.rewrite === undefined ? answer : options.rewrite(answer);
    },
  });
  const run = await input.runIntervals(150, (r, i) => {
    if (i < (options.restartAfterRuns ?? 0)) input.restart();
    return r.events.length === 0 && r.errors.length === 0 && !r.wantMore;
  });
  return { sim, input, run, fullAnswers, exchanges };
}

const docs = (run: PeriodicRunResult): Record<string, unknown>[] => run.events.filter((e) => !('error' in e));
const listErrors = (run: PeriodicRunResult): Record<string, unknown>[] =>
  run.events.filter((e) => 'error' in e);
const requestsOf = (sim: RunningSimulator) =>
  sim.requests
    .filter((r) => r.cmd === 'reporting')
    .map((r) => ({ ...(r.body?.data as { from: string; to: string }), status: r.status, fault: r.fault }));

/** Common to every scenario: the result is exactly the ground truth, and the documents follow contracts §3. */
function expectExactlyOnce(b: Backfill): void {
  const truth = truthPairs(b.sim.tenant.events);
  expect(publishedPairs(docs(b.run))).toEqual(truth);
  // Re-reads are limited to boundary seconds (no window is read again from its start).
  expect(docs(b.run).length).toBeLessThanOrEqual(Math.ceil(truth.length * 1.05));
  for (const e of [...b.run.events, ...b.run.errorEvents]) expect(e).not.toHaveProperty('@timestamp');
  for (const e of docs(b.run))
    expect(Object.keys(e).sort()).toEqual(['_conf', 'lastpass_enterprise', 'message']);
  expect(JSON.stringify(b.run)).not.toContain(HASH);
  // The backfill finished: in memory the window is complete; the cursor persisted with the last
  // published events is past every event (the empty sub-windows after them publish nothing, so the
  // Agent does not persist their cursor).
  expect(b.input.currentState.cursor).toEqual({
    upper: expect.any(String),
    upper_local: expect.any(String),
    page_limit: 25,
  });
  const persisted = b.run.cursor as { upper: string };
  const last = Math.max(...b.sim.tenant.events.map((e) => e.instant));
  expect(Date.parse(persisted.upper)).toBeGreaterThanOrEqual(last);
}

describeOnMito('event_report on the real CEL engine (mito v1.10), Agent-like driver', () => {
  const sims: RunningSimulator[] = [];
  const inputs: AgentInput[] = [];
  const keep = (b: Backfill): Backfill => {
    sims.push(b.sim);
    inputs.push(b.input);
    return b;
  };
  afterAll(async () => {
    for (const i of inputs) await i.close();
    for (const s of sims) await s.close();
  });

  test.each([
    ['next = next older record (documented), newest first', {}],
    ['next = last returned record (repeats it), newest first', { nextMode: 'repeat-last' as const }],
    [
      'next = last returned record (as a string), oldest first, from/to exclusive',
      {
        nextMode: 'repeat-last' as const,
        nextType: 'string' as const,
        order: 'oldest-first' as const,
        fromInclusive: false,
        toInclusive: false,
      },
    ],
  ])(
    '%s: every (record, occurrence) exactly once across page splits, same-second repeats and the DST fall-back',
    async (_name, variant) => {
      const b = keep(await backfill(variant));
      expectExactlyOnce(b);
      const truth = truthPairs(b.sim.tenant.events);
      // The scenario has what it claims: identical same-second records, both passes of the repeated hour,
      // and answers that were full (page splits).
      expect(truth.some((p) => p.endsWith('#2'))).toBe(true);
      const repeated = b.sim.tenant.events.filter((e) => e.record.Time.startsWith('2024-11-03 01:'));
      expect(new Set(repeated.map((e) => e.instant >= Date.parse('2024-11-03T06:00:00Z'))).size).toBe(2);
      expect(b.fullAnswers).toBeGreaterThan(0);
      // No error event anywhere: no fault was injected.
      expect(b.run.errors).toEqual([]);
      expect(listErrors(b.run)).toEqual([]);
      // No request bound inside the repeated hour (it would cut it: occurrences would not be stable).
      for (const r of requestsOf(b.sim)) {
        expect(r.from.startsWith('2024-11-03 01:')).toBe(false);
        expect(r.to.startsWith('2024-11-03 01:')).toBe(false);
      }
      // One evaluation per mito process: a second evaluation never reached the API.
      expect(b.input.http.requests).toBe(b.sim.requests.length);
    },
  );

  test('429 (10%), 5xx (5%) and a truncated answer without HTTP retries: an error event per fault, progress kept page by page', async () => {
    const b = keep(
      await backfill(
        {
          faults: [
            { kind: 'rate-limit', command: 'reporting', every: 10, count: 1 },
            { kind: 'server-error', command: 'reporting', after: 5, every: 20, count: 1, status: 503 },
            { kind: 'truncated', command: 'reporting', after: 7, count: 1 },
          ],
        },
        { retry: NO_RETRY },
      ),
    );
    expectExactlyOnce(b);
    const delivered = b.input.http.failuresDelivered;
    expect(delivered.length).toBeGreaterThan(2);
    expect(delivered.some((d) => d.status === 429) && delivered.some((d) => d.status === 503)).toBe(true);
    // Error events exactly where a fault was injected, with the code for it (no retries: one request
    // of the program is one request to the simulator, in the same order).
    const faults = b.sim.requests.filter((r) => r.cmd === 'reporting').map((r) => r.fault);
    expect(faults).toHaveLength(b.exchanges.length);
    expect(faults).toContain('truncated');
    const codes: Record<string, string> = {
      'rate-limit': 'LASTPASS_RATE_LIMITED',
      'server-error': 'LASTPASS_UNAVAILABLE',
      truncated: 'LASTPASS_REPORT_FAILED',
    };
    expect(b.run.errors.map((e) => e.code)).toEqual(
      faults.flatMap((f) => (f === undefined ? [] : [codes[f]])),
    );
    expect(listErrors(b.run)).toEqual([]);
    // After a failed request the next one (at the next interval) starts at the first page not yet
    // published — the failed page itself when it followed a published one — never at the window start.
    // (The Agent persists a cursor only with events: after empty pages it goes back to the last page
    // that published some. Before the first published page there is no cursor: the first window
    // starts at now - initial_interval again, a second or so later.)
    const x = b.exchanges;
    expect(x.filter((e) => e.status !== 200)).toHaveLength(delivered.length);
    const failed = faults.flatMap((f, i) => (f === undefined ? [] : [i]));
    const publishing = (j: number): boolean =>
      (x[j + 1]?.publishedBefore ?? Infinity) > (x[j]?.publishedBefore ?? 0);
    let samePage = 0;
    for (const i of failed.filter((k) => (x[k]?.publishedBefore ?? 0) > 0)) {
      let j = i - 1;
      while (j >= 0 && !publishing(j)) j--;
      const next = x[i + 1]?.from ?? '';
      expect(next >= (x[j]?.from ?? '') && next <= (x[i]?.from ?? '')).toBe(true);
      if (next === x[i]?.from) samePage += 1;
    }
    expect(samePage).toBeGreaterThan(1);
  });

  test("the same faults with the templates' resource.retry: absorbed by the Agent's retries, no error event", async () => {
    const b = keep(
      await backfill({
        faults: [
          { kind: 'rate-limit', command: 'reporting', every: 10, count: 1 },
          { kind: 'server-error', command: 'reporting', after: 5, every: 20, count: 1, status: 503 },
          { kind: 'reset', command: 'reporting', after: 3, count: 1 },
        ],
      }),
    );
    expectExactlyOnce(b);
    expect(b.run.errors).toEqual([]);
    expect(b.input.http.failuresDelivered).toEqual([]);
    expect(b.input.http.retries).toBeGreaterThan(2);
    // resource.retry.wait_min 2s, doubling: what the Agent would have waited (never slept here).
    expect(b.input.http.virtualWaitMs).toBeGreaterThanOrEqual(2000 * b.input.http.retries);
  });

  test('a malformed record becomes one error event; the stream moves on and delivers everything else', async () => {
    let corrupted: Record<string, unknown> | undefined;
    const b = keep(
      await backfill(
        {},
        {
          rewrite: (answer) => {
            if (corrupted !== undefined || answer.status !== 200) return answer;
            const body = JSON.parse(answer.body.toString('utf8')) as { next: unknown; data: unknown };
            if (
              body.next !== null ||
              typeof body.data !== 'object' ||
              body.data === null ||
              Array.isArray(body.data)
            )
              return answer;
            // Not a full answer (the program would not deliver it, but narrow the sub-window).
            if (Object.keys(body.data).length >= 25) return answer;
            const data = body.data as Record<string, { Time: string }>;
            const times = Object.values(data).map((r) => r.Time);
            // A record away from the answer's first and last second (those are read again by the next request).
            const key = Object.keys(data).find((k) => {
              const t = data[k]?.Time ?? '';
              return (
                t !== times.reduce((a, c) => (c < a ? c : a)) && t !== times.reduce((a, c) => (c > a ? c : a))
              );
            });
            if (key === undefined) return answer;
            corrupted = { ...data[key] };
            data[key] = { ...data[key], Time: 1730600000 } as unknown as { Time: string };
            return { ...answer, body: Buffer.from(JSON.stringify(body)) };
          },
        },
      ),
    );
    expect(corrupted).toBeDefined();
    const errs = listErrors(b.run);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      error: { code: 'LASTPASS_MALFORMED_RECORD', message: expect.stringContaining('1730600000') },
      _conf: { account_number: ACCOUNT },
    });
    expect(b.run.errors).toEqual([]);
    const lost = `${JSON.stringify(Object.fromEntries(Object.entries(corrupted ?? {}).sort()))}#0`;
    const truth = truthPairs(b.sim.tenant.events);
    expect(truth).toContain(lost);
    expect(publishedPairs(docs(b.run))).toEqual(truth.filter((p) => p !== lost));
    expect(b.input.currentState.cursor).toMatchObject({ page_limit: 25 });
    expect(b.input.currentState.cursor).not.toHaveProperty('end');
  });

  test('most records of an answer malformed (a change of format): the answer fails, nothing is skipped past', async () => {
    const sim = await startSimulator(TENANT);
    sims.push(sim);
    const stream = render('event_report', sim, { initial_interval: initialIntervalReaching(START) });
    // every record of every answer gets a numeric Time (as if LastPass changed its format)
    const input = onMito(stream, {
      rewrite: (_req, answer) => {
        const body = JSON.parse(answer.body.toString('utf8')) as { data?: unknown };
        if (typeof body.data !== 'object' || body.data === null || Array.isArray(body.data)) return answer;
        const data = body.data as Record<string, Record<string, unknown>>;
        for (const k of Object.keys(data)) data[k] = { ...data[k], Time: 1_730_600_000 };
        return { ...answer, body: Buffer.from(JSON.stringify(body)) };
      },
    });
    inputs.push(input);
    const run = await input.runIntervals(3, () => false);
    expect(run.events).toEqual([]);
    expect(run.errors).toHaveLength(3);
    for (const e of run.errors)
      expect(e).toMatchObject({
        code: 'LASTPASS_UNEXPECTED_RESPONSE',
        message: expect.stringMatching(
          /^reporting: 25 of 25 records of the answer for .* format looks changed/,
        ),
      });
    // nothing published, so no cursor: each interval reads the first window again (its start follows the
    // real clock that mito reads, by a second or so)
    expect(run.cursor).toBeUndefined();
    expect(input.currentState.cursor).toEqual({});
    const froms = requestsOf(sim).map((r) => Date.parse(`${r.from.replace(' ', 'T')}Z`));
    expect(froms).toHaveLength(3);
    expect(Math.max(...froms) - Math.min(...froms)).toBeLessThan(60_000);
  });

  test('Agent restarts after each of the first 8 intervals: only the persisted cursor survives, nothing is lost or doubled', async () => {
    const b = keep(await backfill({ nextMode: 'repeat-last' }, { restartAfterRuns: 8 }));
    expectExactlyOnce(b);
    expect(b.run.errors).toEqual([]);
  });

  test('an XML Authorization Error: one error event without the hash, nothing committed', async () => {
    const sim = await startSimulator({
      seed: 2,
      events: 20,
      start: START,
      end: END,
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
    sims.push(sim);
    const stream = render('event_report', sim, {
      provisioning_hash: 'wrong-hash-value-123',
      initial_interval: '1h',
    });
    const input = onMito(stream);
    inputs.push(input);
    const r = await input.runInterval();
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([
      {
        code: 'LASTPASS_AUTH_FAILED',
        id: 'Authorization Error',
        message:
          'reporting: LastPass refused the credentials (Authorization Error): check the account number and the provisioning hash',
      },
    ]);
    expect(r.cursor).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain('wrong-hash-value-123');
  });
});
