// The user and detailed_shared_folder programs on Elastic's real CEL engine (the mito binary), run by
// the Agent-like driver (AgentInput) against the LastPass simulator's ground truth.
import type { AgentInput, PeriodicRunResult, RetrySettings } from '@lastpass-elastic/cel-harness';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import {
  ACCOUNT,
  agentDocument,
  canonical,
  describeOnMito,
  HASH,
  onMito,
  render,
  withoutPasswordKeys,
} from './support';

jest.setTimeout(120_000);

const NO_RETRY: RetrySettings = { maxAttempts: 1, waitMinMs: 2000, waitMaxMs: 60_000 };
const SNAPSHOT_ID = /^\d{8}T\d{6}Z$/;
const STARTED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Runs until a snapshot completes (the in-memory cursor has no snapshot in progress). */
function untilComplete(input: AgentInput) {
  return (): boolean => {
    const cursor = input.currentState.cursor as
      { in_progress?: unknown; last_complete?: unknown } | undefined;
    return cursor?.in_progress === null && cursor.last_complete !== undefined;
  };
}

/** One stamp per snapshot: every document carries the same id and start, in the contract's formats. */
function stampOf(run: PeriodicRunResult): { id: string; started_at: string } {
  const stamps = new Set(run.events.map((e) => JSON.stringify(e.lastpass_enterprise)));
  expect(stamps.size).toBe(1);
  const stamp = (run.events[0]?.lastpass_enterprise as { snapshot: { id: string; started_at: string } })
    .snapshot;
  expect(stamp.id).toMatch(SNAPSHOT_ID);
  expect(stamp.started_at).toMatch(STARTED_AT);
  expect(stamp.id).toBe(stamp.started_at.replace(/[-:]/g, ''));
  return stamp;
}

describeOnMito('users and shared folders on the real CEL engine (mito v1.10), Agent-like driver', () => {
  let sim: RunningSimulator;
  const inputs: AgentInput[] = [];
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 7,
      users: 45,
      invited: 3,
      sharedFolders: 12,
      accountNumber: ACCOUNT,
      provisioningHash: HASH,
    });
  });
  afterAll(async () => {
    for (const i of inputs) await i.close();
    await sim.close();
  });

  test('user: a paged snapshot holds every user and invitee (contracts §3), no @timestamp', async () => {
    const stream = render('user', sim, { page_size: 20 });
    const input = onMito(stream);
    inputs.push(input);
    const run = await input.runIntervals(5, untilComplete(input));
    expect(run.runs).toBe(1);
    expect(run.executions).toBe(3);
    expect(run.errors).toEqual([]);
    const stamp = stampOf(run);
    const expected = [
      ...sim.tenant.users.map((u) => ({ ...(withoutPasswordKeys(u.record) as object), id: u.id })),
      ...sim.tenant.invited.map((email) => ({ username: email, invited: true })),
    ].map((message) => ({
      message: JSON.stringify(message),
      lastpass_enterprise: { snapshot: stamp },
      _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      data_stream: { type: 'logs', dataset: 'lastpass_enterprise.user', namespace: 'default' },
      tags: ['forwarded', 'lastpass_enterprise-user'],
    }));
    expect(canonical(run.events.map((e) => agentDocument(e, stream)))).toEqual(canonical(expected));
    expect(
      sim.tenant.users.some((u) => u.record.attribs !== undefined && 'password' in u.record.attribs),
    ).toBe(true);
    for (const e of run.events) expect(e).not.toHaveProperty('@timestamp');
    expect(JSON.stringify({ run, cursor: input.cursor })).not.toContain(HASH);
  });

  test('detailed_shared_folder: one document per (folder, member), a memberless folder once, over pages', async () => {
    const stream = render('detailed_shared_folder', sim, { page_size: 5, preserve_original_event: true });
    const input = onMito(stream);
    inputs.push(input);
    const run = await input.runIntervals(5, untilComplete(input));
    expect(run.executions).toBe(3);
    expect(run.errors).toEqual([]);
    const stamp = stampOf(run);
    const expected = sim.tenant.sharedFolders.flatMap((f) => {
      const { users, id, ...rest } = f;
      const folder = { ...rest, id };
      return users.length === 0 ? [folder] : users.map((member) => ({ ...folder, users: member }));
    });
    expect(sim.tenant.sharedFolders.some((f) => f.users.length === 0)).toBe(true);
    const docs = expected.map((message) => ({
      message: JSON.stringify(message),
      lastpass_enterprise: { snapshot: stamp },
      _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      data_stream: {
        type: 'logs',
        dataset: 'lastpass_enterprise.detailed_shared_folder',
        namespace: 'default',
      },
      tags: ['preserve_original_event', 'forwarded', 'lastpass_enterprise-detailed_shared_folder'],
    }));
    expect(canonical(run.events.map((e) => agentDocument(e, stream)))).toEqual(canonical(docs));
    for (const e of run.events) expect(e).not.toHaveProperty('@timestamp');
  });

  test("one evaluation per mito process, exactly: the gate holds the next evaluation's request before it reaches LastPass", async () => {
    const stream = render('user', sim, { page_size: 20 });
    // Without stopping mito at its first result, the command goes on with a second evaluation by itself
    // (want_more is true after pages 0 and 1): its request arrives and is held, never answered.
    const input = onMito(stream, { stopAtFirstResult: false });
    inputs.push(input);
    const before = sim.requests.length;
    const run = await input.runIntervals(3, untilComplete(input));
    expect(run.executions).toBe(3);
    expect(input.mitoCounters).toEqual({ evaluations: 3, stopped: 2 });
    expect(input.http.held).toBe(2);
    expect(sim.requests.slice(before).map((r) => (r.body?.data as { pageindex: number }).pageindex)).toEqual([
      0, 1, 2,
    ]);
    expect(new Set(run.events.map((e) => e.message)).size).toBe(run.events.length);
  });

  test('a 429 on page 2 without retries: one error event; the next interval resumes at page 2 with the same snapshot', async () => {
    const stream = render('user', sim, { page_size: 20 });
    const input = onMito(stream, { retry: NO_RETRY });
    inputs.push(input);
    sim.addFault({ kind: 'rate-limit', command: 'getuserdata', after: 1, count: 1 });
    const before = sim.requests.length;
    const first = await input.runInterval();
    expect(first.events).toHaveLength(23); // page 0: 20 users + 3 invitees
    expect(first.errors).toEqual([
      expect.objectContaining({ code: 'LASTPASS_RATE_LIMITED', id: '429 Too Many Requests' }),
    ]);
    expect(input.cursor).toMatchObject({ in_progress: { next_page_index: 1 } });
    // A restart in between changes nothing: the cursor was persisted with page 0.
    input.restart();
    const rest = await input.runIntervals(3, untilComplete(input));
    expect(rest.errors).toEqual([]);
    const pages = sim.requests
      .slice(before)
      .map((r) => (r.body?.data as { pageindex?: number } | undefined)?.pageindex);
    expect(pages).toEqual([0, undefined, 1, 2]); // the failed request's body is not logged by the simulator
    const all = [...first.events, ...rest.events];
    expect(new Set(all.map((e) => JSON.stringify(e.lastpass_enterprise))).size).toBe(1);
    const users = all
      .map((e) => (JSON.parse(String(e.message)) as { id?: string }).id)
      .filter((id) => id !== undefined);
    expect(new Set(users).size).toBe(45);
    expect(users).toHaveLength(45);
  });

  test('a shared folder that is not an object: one error event for it, every other folder delivered', async () => {
    const stream = render('detailed_shared_folder', sim, { page_size: 5 });
    let broken: string | undefined;
    const input = onMito(stream, {
      rewrite: (_req, answer) => {
        if (broken !== undefined) return answer;
        const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
        broken = Object.keys(body)[1];
        if (broken === undefined) return answer;
        body[broken] = 'not a folder';
        return { ...answer, body: Buffer.from(JSON.stringify(body)) };
      },
    });
    inputs.push(input);
    const run = await input.runIntervals(5, untilComplete(input));
    const errors = run.events.filter((e) => 'error' in e);
    expect(errors).toEqual([
      {
        error: {
          code: 'LASTPASS_MALFORMED_RECORD',
          id: broken,
          message: `getdetailedsfdata: shared folder ${String(broken)} on page 0 is not an object and was skipped`,
        },
        _conf: { account_number: ACCOUNT, time_zone: 'America/New_York' },
      },
    ]);
    const folders = new Set(
      run.events
        .filter((e) => !('error' in e))
        .map((e) => (JSON.parse(String(e.message)) as { id: string }).id),
    );
    expect(folders.size).toBe(11);
    expect(folders.has(String(broken))).toBe(false);
    expect(run.errors).toEqual([]);
  });
});
