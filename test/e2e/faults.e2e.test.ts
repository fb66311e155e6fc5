import { MemoryCheckpointStore, MemoryDeadLetters, MemorySink } from '@lastpass-elastic/collector';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptionsInput,
} from '@lastpass-elastic/simulator';
import {
  accountFor,
  configFor,
  elasticsearchSink,
  fakeElasticsearchWithPackage,
  harness,
  HASH,
  HOUR,
  messageCounts,
  pollUntil,
  truthCounts,
} from './support';

const START = new Date('2024-03-01T00:00:00Z');
const END = new Date('2024-03-04T00:00:00Z');

function simulate(options: SimulatorOptionsInput): Promise<RunningSimulator> {
  return startSimulator({
    start: START,
    end: END,
    seed: 5,
    events: 3000,
    pageSize: 500,
    provisioningHash: HASH,
    ...options,
  });
}

/** A clock for the sink's backoff: sleeping moves it (so elapsed-time caps are reached without waiting). */
function sinkClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
  };
}

describe('LastPass faults', () => {
  it('a wrong provisioning hash fails the stream, commits no cursor, and the hash is nowhere in the state', async () => {
    const sim = await simulate({ provisioningHash: 'the-real-hash-is-different' });
    try {
      const store = new MemoryCheckpointStore();
      const { deps } = harness(sim, new MemorySink(), { store });
      const [result] = await pollUntil(sim, configFor(accountFor(sim)), deps, {
        since: START.getTime(),
        stepMs: 0,
        until: 0,
      });
      expect(result?.outcome).toBe('failed');
      expect(result?.error?.code).toBe('LASTPASS_AUTH_FAILED');
      const state = await store.load(sim.options.accountNumber, 'event_report');
      expect(state?.cursor).toBeNull();
      expect(state?.health.last_error?.code).toBe('LASTPASS_AUTH_FAILED');
      expect(JSON.stringify(store.commits)).not.toContain(HASH);
    } finally {
      await sim.close();
    }
  });

  it('429 with Retry-After, 5xx bursts, truncated JSON and connection resets: still exactly once', async () => {
    const sim = await simulate({
      faults: [
        { kind: 'rate-limit', command: 'reporting', retryAfterSeconds: 3, after: 1, every: 7 },
        { kind: 'server-error', command: 'reporting', status: 503, count: 2, after: 2, every: 9 },
        { kind: 'truncated', command: 'reporting', after: 3, every: 11 },
        { kind: 'reset', command: 'reporting', after: 4, every: 13 },
      ],
    });
    try {
      const sink = new MemorySink();
      const { deps } = harness(sim, sink);
      const results = await pollUntil(sim, configFor(accountFor(sim)), deps, {
        since: START.getTime() - HOUR,
        stepMs: 0,
        until: 0,
      });
      expect(results.map((r) => r.outcome)).toEqual(['ok']);
      expect(results[0]?.counts.api_calls).toBeGreaterThan(results[0]?.counts.fetched === 0 ? 0 : 8);
      const got = messageCounts(
        [...(sink.documents.get('event_report')?.values() ?? [])].map((d) => d.message),
      );
      expect(got).toEqual(truthCounts(sim, END.getTime()));
    } finally {
      await sim.close();
    }
  });

  it('restricted API policy: the event report keeps flowing, inventory streams report the policy', async () => {
    const sim = await simulate({ restricted: true });
    try {
      const store = new MemoryCheckpointStore();
      const sink = new MemorySink();
      const { deps } = harness(sim, sink, { store });
      const config = configFor(accountFor(sim), ['event_report', 'user', 'detailed_shared_folder']);
      const results = await pollUntil(sim, config, deps, { since: START.getTime(), stepMs: 0, until: 0 });
      expect(results.map((r) => [r.stream, r.outcome])).toEqual([
        ['event_report', 'ok'],
        ['user', 'blocked'],
        ['detailed_shared_folder', 'blocked'],
      ]);
      expect(results[0]?.counts.indexed).toBeGreaterThan(0);
      const user = await store.load(sim.options.accountNumber, 'user');
      expect(user?.health.notes.blocked_by_account_policy).toMatch(
        /Restrict Enterprise API to event reporting/,
      );
      expect(user?.health.last_error?.code).toBe('LASTPASS_COMMAND_RESTRICTED');
    } finally {
      await sim.close();
    }
  });

  it('users and shared folders: paged snapshots, one document per user / invitee / (folder, member)', async () => {
    const sim = await simulate({ users: 60, invited: 4, sharedFolders: 12 });
    try {
      const sink = new MemorySink();
      const { deps } = harness(sim, sink);
      const config = configFor(accountFor(sim), ['user', 'detailed_shared_folder']);
      const results = await pollUntil(sim, config, deps, { since: START.getTime(), stepMs: 0, until: 0 });
      expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok']);
      const users = [...(sink.documents.get('user')?.values() ?? [])];
      expect(users).toHaveLength(sim.tenant.users.length + sim.tenant.invited.length);
      const snapshotIds = new Set(users.map((u) => u.lastpass_enterprise?.snapshot?.id));
      expect(snapshotIds.size).toBe(1);
      // No input sends @timestamp (contracts §3); the snapshot start does, in RFC 3339 whole seconds.
      const started = sim.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      expect(users.every((u) => u.lastpass_enterprise?.snapshot?.started_at === started)).toBe(true);
      expect(users.every((u) => !('@timestamp' in u))).toBe(true);
      const folders = [...(sink.documents.get('detailed_shared_folder')?.values() ?? [])];
      const expected = sim.tenant.sharedFolders.reduce((n, f) => n + Math.max(1, f.users.length), 0);
      expect(folders).toHaveLength(expected);
      for (const doc of [...users, ...folders]) expect(doc.message).not.toMatch(/"password"/i);
    } finally {
      await sim.close();
    }
  });
});

describe('Elasticsearch faults', () => {
  it('429s, partial item failures, resets and an outage: exactly once, rejected items dead-lettered, no commit past an unacknowledged batch', async () => {
    const sim = await simulate({});
    const fake = await fakeElasticsearchWithPackage(() => sim.clock.now());
    try {
      const sink = elasticsearchSink(fake, sinkClock());
      const store = new MemoryCheckpointStore();
      const deadLetters = new MemoryDeadLetters();
      const { deps } = harness(sim, sink, { store, deadLetters });
      const config = configFor(accountFor(sim));
      fake.faults.next({ kind: 'status', status: 429, path: '_bulk', times: 2 });
      fake.faults.next({ kind: 'reset', path: '_bulk', times: 1 });
      fake.faults.next({ kind: 'item-status', status: 400, items: [1], times: 1 });
      fake.faults.next({ kind: 'item-status', status: 429, items: [0, 3, 7], times: 2 });
      const first = await pollUntil(sim, config, deps, {
        since: START.getTime() - HOUR,
        stepMs: 0,
        until: 0,
      });
      expect(first[0]?.outcome).toBe('ok');
      expect(first[0]?.counts.failed).toBe(1);
      expect(deadLetters.entries).toHaveLength(1);
      expect(deadLetters.entries[0]?.type).toBeTruthy();
      const total = [...truthCounts(sim, END.getTime()).values()].reduce((a, b) => a + b, 0);
      const docs = () => fake.documents('logs-lastpass_enterprise.event_report-default');
      expect(docs().size).toBe(total - 1);
      // An outage: the stream fails after its retries, and the cursor stays at the last acknowledged batch.
      const before = JSON.stringify((await store.load(sim.options.accountNumber, 'event_report'))?.cursor);
      sim.clock.set(new Date(END.getTime() + HOUR));
      fake.faults.next({ kind: 'status', status: 503, path: '_bulk', times: 10_000 });
      const outage = await pollUntil(sim, config, deps, { since: START.getTime(), stepMs: 0, until: 0 });
      expect(outage[0]?.outcome).toBe('failed');
      expect(outage[0]?.error?.code).toBe('SINK_UNAVAILABLE');
      expect(JSON.stringify((await store.load(sim.options.accountNumber, 'event_report'))?.cursor)).toBe(
        before,
      );
      fake.faults.clear();
      const after = await pollUntil(sim, config, deps, { since: START.getTime(), stepMs: 0, until: 0 });
      expect(after[0]?.outcome).toBe('ok');
      expect(docs().size).toBe(total - 1);
      await sink.close();
    } finally {
      await fake.close();
      await sim.close();
    }
  }, 30_000);

  it('--strict: a rejected document stops the stream without committing', async () => {
    const sim = await simulate({});
    const fake = await fakeElasticsearchWithPackage(() => sim.clock.now());
    try {
      const sink = elasticsearchSink(fake, sinkClock());
      const store = new MemoryCheckpointStore();
      const { deps } = harness(sim, sink, { store });
      fake.faults.next({ kind: 'item-status', status: 400, items: [2], times: 1 });
      const results = await pollUntil(sim, configFor(accountFor(sim)), deps, {
        since: START.getTime() - HOUR,
        stepMs: 0,
        until: 0,
        strict: true,
      });
      expect(results[0]?.outcome).toBe('failed');
      expect(results[0]?.error?.code).toBe('SINK_DOCUMENT_REJECTED');
      expect((await store.load(sim.options.accountNumber, 'event_report'))?.cursor).toBeNull();
      await sink.close();
    } finally {
      await fake.close();
      await sim.close();
    }
  }, 30_000);
});

describe('time-zone self-check (issue §6)', () => {
  it('notices that the account zone is not the configured one from our own Reporting events', async () => {
    const sim = await simulate({
      timeZone: 'UTC',
      selfAudit: true,
      apiUser: 'lastpass-elastic',
      now: new Date(START.getTime() + 6 * HOUR),
    });
    try {
      const store = new MemoryCheckpointStore();
      const { deps } = harness(sim, new MemorySink(), { store });
      const account = { ...accountFor(sim), timeZone: 'America/New_York' }; // wrong on purpose
      await pollUntil(sim, configFor(account), deps, {
        since: START.getTime(),
        stepMs: 47 * 60_000, // not a divisor of the zone offset: a shifted call must not land on another
        until: START.getTime() + 16 * HOUR,
      });
      const state = await store.load(sim.options.accountNumber, 'event_report');
      expect(state?.health.notes.time_zone_check).toMatch(/^mismatch: .* \+0[45]:00 off our clock/);
    } finally {
      await sim.close();
    }
  });

  it('says ok when the zone is right', async () => {
    const sim = await simulate({
      selfAudit: true,
      apiUser: 'lastpass-elastic',
      now: new Date(START.getTime() + 6 * HOUR),
    });
    try {
      const store = new MemoryCheckpointStore();
      const { deps } = harness(sim, new MemorySink(), { store });
      await pollUntil(sim, configFor(accountFor(sim)), deps, {
        since: START.getTime(),
        stepMs: HOUR,
        until: START.getTime() + 10 * HOUR,
      });
      const state = await store.load(sim.options.accountNumber, 'event_report');
      expect(state?.health.notes.time_zone_check).toMatch(/^ok: /);
    } finally {
      await sim.close();
    }
  });
});
