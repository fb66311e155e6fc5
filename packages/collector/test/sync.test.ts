import { MemoryCheckpointStore } from '../src/checkpoint/store';
import { MemoryDeadLetters } from '../src/sink/dead-letter';
import { MemorySink } from '../src/sink/memory';
import type { Sink, Verdict } from '../src/sink/types';
import { assignOccurrences, createEventReportStream } from '../src/streams/event-report';
import { createUserStream } from '../src/streams/user';
import { checkTimeZone } from '../src/streams/time-zone-check';
import type { ReportingRecord } from '../src/streams/sources';
import type { RawDocument } from '../src/streams/types';
import { runStream } from '../src/sync/run-stream';
import { AccountZone } from '../src/time/account-zone';
import type { Logger } from '../src/observability/logger';
import { silentLogger } from '../src/observability/logger';
import { FakeReporting, makeHistory } from './support/fake-reporting';
import { HOUR, ManualClock, MINUTE, testAccount } from './support/harness';

const ZONE = 'America/New_York';
const START = Date.parse('2024-06-01T00:00:00Z');
const envelope = {
  accountNumber: '8771312',
  timeZone: ZONE,
  namespace: 'default',
  tags: ['forwarded'],
  preserveOriginalEvent: false,
};

function eventStream(api: FakeReporting, pageLimit = 100) {
  const settings = { ...testAccount().eventReport, pageLimit };
  return createEventReportStream({ source: api, settings, envelope, apiUser: 'lastpass-elastic' });
}

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const make = (): Logger => ({
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    debug: () => undefined,
    child: () => make(),
  });
  return { lines, logger: make() };
}

function base(clock: ManualClock, sink: Sink, store = new MemoryCheckpointStore()) {
  return {
    accountNumber: '8771312',
    store,
    sink,
    deadLetters: new MemoryDeadLetters(),
    now: () => clock.now(),
    logger: silentLogger,
    signal: new AbortController().signal,
    strict: false,
    since: START - HOUR,
  };
}

const behaviour = {
  order: 'newest-first',
  fromInclusive: true,
  toInclusive: true,
  ambiguousTime: 'earlier',
  pageSize: 100,
  next: true,
} as const;

describe('the sync loop commits only what the sink acknowledged', () => {
  const truth = makeHistory({ zone: ZONE, start: START, end: START + 6 * HOUR, events: 800, seed: 3 });

  it('no commit while a verdict is pending; the commit follows the verdict', async () => {
    const clock = new ManualClock(START + 7 * HOUR);
    const api = new FakeReporting(truth, ZONE, behaviour, () => clock.now());
    const store = new MemoryCheckpointStore();
    const inner = new MemorySink();
    let release: (() => void) | undefined;
    let writes = 0;
    const gated: Sink = {
      write: async (stream, docs) => {
        writes++;
        await new Promise<void>((r) => (release = r));
        return inner.write(stream, docs);
      },
      close: () => Promise.resolve(),
    };
    const run = runStream({ ...base(clock, gated, store), stream: eventStream(api) });
    while (writes === 0) await new Promise((r) => setImmediate(r));
    const before = store.commits.length;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(store.commits.length).toBe(before);
    for (;;) {
      const r = release;
      release = undefined;
      r?.();
      const done = await Promise.race([
        run.then(() => true),
        new Promise<boolean>((res) =>
          setImmediate(() => {
            res(false);
          }),
        ),
      ]);
      if (done) break;
    }
    expect((await run).outcome).toBe('ok');
    expect(store.commits.length).toBeGreaterThan(before);
  });

  it('commitIntervalMs: the state is persisted at most once per interval and at the end; a failure persists the last acknowledged cursor', async () => {
    const run = async (
      interval: number,
      failAfter?: number,
      store = new MemoryCheckpointStore(),
      inner = new MemorySink(),
    ) => {
      const clock = new ManualClock(START + 7 * HOUR);
      const api = new FakeReporting(truth, ZONE, behaviour, () => clock.now());
      let writes = 0;
      const ticking: Sink = {
        // every write takes 400 ms of the stream's clock
        write: (stream, docs) => {
          clock.current += 400;
          if (failAfter !== undefined && ++writes > failAfter) return Promise.reject(new Error('down'));
          return inner.write(stream, docs);
        },
        close: () => Promise.resolve(),
      };
      const result = await runStream({
        ...base(clock, ticking, store),
        stream: eventStream(api),
        commitIntervalMs: interval,
      });
      return { result, store, inner, stored: inner.documents.get('event_report')?.size ?? 0 };
    };
    const every = await run(0);
    const paced = await run(1000);
    expect(paced.result.outcome).toBe('ok');
    expect(paced.stored).toBe(truth.length);
    expect(paced.store.commits.length).toBeLessThan(every.store.commits.length / 2);
    expect(paced.store.commits.at(-1)?.state.cursor).toEqual(every.store.commits.at(-1)?.state.cursor);
    // nothing persisted while running (interval longer than the run), then a failure after 3 writes:
    // the failure path persists the third batch's cursor, so a resumed run re-reads nothing acknowledged
    const failed = await run(60_000, 3);
    expect(failed.result.outcome).toBe('failed');
    expect(failed.store.commits.length).toBe(1);
    expect(failed.stored).toBeGreaterThan(0);
    const resumed = await run(0, undefined, failed.store, failed.inner);
    expect(resumed.result.outcome).toBe('ok');
    expect(resumed.stored).toBe(truth.length);
    // re-read: only the overlap before the persisted cursor, not the acknowledged batches
    expect(resumed.result.counts.duplicates).toBeLessThan(failed.stored / 2);
  });

  it('a sink outage leaves the cursor where it was; the next run delivers everything exactly once', async () => {
    const clock = new ManualClock(START + 7 * HOUR);
    const api = new FakeReporting(truth, ZONE, behaviour, () => clock.now());
    const sink = new MemorySink();
    const store = new MemoryCheckpointStore();
    sink.failNextWrites = 1;
    const first = await runStream({ ...base(clock, sink, store), stream: eventStream(api) });
    expect(first.outcome).toBe('failed');
    // Only the empty sub-windows before the first event were committed: never past an unacknowledged event.
    const cursor = (await store.load('8771312', 'event_report'))?.cursor as { upper: string } | null;
    expect(Date.parse(cursor?.upper ?? '1970-01-01T00:00:00Z')).toBeLessThan(
      Math.min(...truth.map((e) => e.instant)),
    );
    expect((await store.load('8771312', 'event_report'))?.health.last_error?.message).toMatch(
      /scheduled outage/,
    );
    const second = await runStream({ ...base(clock, sink, store), stream: eventStream(api) });
    expect(second.outcome).toBe('ok');
    expect(sink.documents.get('event_report')?.size).toBe(truth.length);
  });

  it('permanent per-document failures are dead-lettered and counted; the stream continues', async () => {
    const clock = new ManualClock(START + 7 * HOUR);
    const api = new FakeReporting(truth, ZONE, behaviour, () => clock.now());
    const sink = new MemorySink();
    sink.rejectWhen = (doc: RawDocument) => doc.message.includes('Site Added');
    const options = base(clock, sink);
    const result = await runStream({ ...options, stream: eventStream(api) });
    const rejected = truth.filter((e) => e.record.Action === 'Site Added').length;
    expect(result.outcome).toBe('ok');
    expect(result.counts.failed).toBe(rejected);
    expect(options.deadLetters.entries).toHaveLength(rejected);
    expect((await options.store.load('8771312', 'event_report'))?.health.dead_letters).toBe(rejected);
  });

  it('SIGINT/SIGTERM: the in-flight batch is finished and committed, then the run stops', async () => {
    const clock = new ManualClock(START + 7 * HOUR);
    const api = new FakeReporting(truth, ZONE, behaviour, () => clock.now());
    const controller = new AbortController();
    const inner = new MemorySink();
    const sink: Sink = {
      write: async (stream, docs): Promise<Verdict[]> => {
        const v = await inner.write(stream, docs);
        controller.abort();
        return v;
      },
      close: () => Promise.resolve(),
    };
    const store = new MemoryCheckpointStore();
    const result = await runStream({
      ...base(clock, sink, store),
      signal: controller.signal,
      stream: eventStream(api),
    });
    expect(result.outcome).toBe('aborted');
    expect(inner.writes).toHaveLength(1);
    const cursor = (await store.load('8771312', 'event_report'))?.cursor as { upper: string } | null;
    expect(cursor?.upper).toBeDefined();
  });

  it('more than a page in one second: delivered as is, warned, noted', async () => {
    const burst = Array.from({ length: 30 }, () => ({
      record: {
        Time: '2024-06-01 02:00:00',
        Username: 'a@example.com',
        IP_Address: '',
        Action: 'Failed Login Attempt',
        Data: '',
      },
      instant: Date.parse('2024-06-01T06:00:00Z'),
      visibleAt: 0,
    }));
    const clock = new ManualClock(START + 7 * HOUR);
    const api = new FakeReporting(burst, ZONE, { ...behaviour, pageSize: 10 }, () => clock.now());
    const { lines, logger } = recordingLogger();
    const store = new MemoryCheckpointStore();
    const result = await runStream({
      ...base(clock, new MemorySink(), store),
      logger,
      stream: eventStream(api, 10),
    });
    expect(result.outcome).toBe('ok');
    expect(result.counts.indexed).toBe(10);
    expect(
      lines.some(
        (l) => l.level === 'warn' && (l.obj as { code?: string }).code === 'EVENT_REPORT_SECOND_OVERFLOW',
      ),
    ).toBe(true);
    expect((await store.load('8771312', 'event_report'))?.health.notes.last_second_overflow).toMatch(
      /page limit 10/,
    );
  });
});

describe('event documents', () => {
  const record: ReportingRecord = {
    Time: '2024-06-01 00:00:01',
    Username: 'u@x',
    IP_Address: '',
    Action: 'Log in',
    Data: '',
  };
  async function firstDocuments(texts: string[] | undefined): Promise<string[]> {
    const source = {
      reporting: () => Promise.resolve({ events: [record, { ...record }], texts, next: null, apiCalls: 1 }),
    };
    const stream = createEventReportStream({
      source,
      settings: { ...testAccount().eventReport, pageLimit: 100 },
      envelope,
      apiUser: 'lastpass-elastic',
    });
    const context = {
      cursor: null,
      now: () => START + 3_600_000,
      signal: new AbortController().signal,
      logger: recordingLogger().logger,
      since: START,
    };
    for await (const batch of stream.read(context))
      if (batch.documents.length > 0) return batch.documents.map((d) => d.message);
    return [];
  }

  it('the message is the text LastPass sent when the source has it, else the record serialized', async () => {
    const sent = ['{ "Time":"2024-06-01 00:00:01", "Username":"u\\/x" }', '{"other":"text"}'];
    expect(await firstDocuments(sent)).toEqual(sent);
    expect(await firstDocuments(undefined)).toEqual([JSON.stringify(record), JSON.stringify(record)]);
    expect(await firstDocuments(['only one'])).toEqual([JSON.stringify(record), JSON.stringify(record)]);
  });
});

describe('occurrences', () => {
  it('counts identical records within a response, in any order', () => {
    const a: ReportingRecord = {
      Time: '2024-06-01 02:00:00',
      Username: 'u',
      IP_Address: '',
      Action: 'Log in',
      Data: '',
    };
    const b = { ...a, Data: 'x' };
    expect(assignOccurrences([a, b, a, a, b])).toEqual([0, 0, 1, 2, 1]);
  });

  it('identical means the same five values, whatever the key order or extra keys', () => {
    const a: ReportingRecord = {
      Time: '2024-06-01 02:00:00',
      Username: 'u',
      IP_Address: '1.2.3.4',
      Action: 'Log in',
      Data: 'd',
    };
    const reordered = { Data: 'd', Action: 'Log in', IP_Address: '1.2.3.4', Username: 'u', Time: a.Time };
    const extra = { ...a, Extra: 'x' };
    const separatorTrick = { ...a, Username: 'u\u0000', IP_Address: '1.2.3.4'.slice(1) };
    expect(assignOccurrences([a, reordered, extra, a])).toEqual([0, 1, 2, 3]);
    expect(assignOccurrences([a, separatorTrick, { ...a, Data: 'e' }])).toEqual([0, 0, 0]);
  });

  it('counts right in crowded seconds (past the direct-comparison limit) and across seconds', () => {
    const base: ReportingRecord = {
      Time: '2024-06-01 02:00:00',
      Username: 'u',
      IP_Address: '',
      Action: 'Log in',
      Data: '',
    };
    // 100 records in one second, 5 distinct, interleaved with another second holding the same values
    const records = Array.from({ length: 200 }, (_, i) => ({
      ...base,
      Time: i % 2 === 0 ? base.Time : '2024-06-01 02:00:01',
      Data: String(Math.floor(i / 2) % 5),
    }));
    const expected = new Map<string, number>();
    const reference = records.map((r) => {
      const key = JSON.stringify([r.Time, r.Data]);
      const n = expected.get(key) ?? 0;
      expected.set(key, n + 1);
      return n;
    });
    expect(assignOccurrences(records)).toEqual(reference);
    expect(Math.max(...assignOccurrences(records))).toBe(19);
  });
});

describe('snapshots', () => {
  it('with commit pacing, a snapshot is in the state file before its first document is written, and a failure keeps the totals of what was acknowledged', async () => {
    const users = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [String(100 + i), { username: `u${i}@example.com` }]),
    );
    const source = {
      getUserData: ({ pageSize, pageIndex }: { pageSize: number; pageIndex: number }) => {
        const page = Object.fromEntries(
          Object.entries(users).slice(pageIndex * pageSize, (pageIndex + 1) * pageSize),
        );
        return Promise.resolve({
          users: page,
          invited: [],
          total: 6,
          count: Object.keys(page).length,
          apiCalls: 1,
        });
      },
    };
    const clock = new ManualClock(START);
    const store = new MemoryCheckpointStore();
    const inner = new MemorySink();
    const persistedAtWrites: unknown[] = [];
    let writes = 0;
    const sink: Sink = {
      write: async (stream, docs) => {
        persistedAtWrites.push((await store.load('8771312', 'user'))?.cursor ?? null);
        clock.current += 300;
        if (++writes === 3) throw new Error('down');
        return inner.write(stream, docs);
      },
      close: () => Promise.resolve(),
    };
    const settings = { ...testAccount().user, pageSize: 2 };
    const result = await runStream({
      ...base(clock, sink, store),
      stream: createUserStream({ source, settings, envelope }),
      commitIntervalMs: 60_000,
    });
    expect(result.outcome).toBe('failed');
    for (const cursor of persistedAtWrites)
      expect((cursor as { in_progress?: { id: string } } | null)?.in_progress?.id).toBe('20240601T000000Z');
    const health = (await store.load('8771312', 'user'))?.health;
    expect(health?.totals.indexed).toBe(inner.documents.get('user')?.size);
    expect(health?.totals.indexed).toBeGreaterThan(0);
  });

  it('a crashed snapshot resumes with the same id and start time (no @timestamp: contracts §3)', async () => {
    const users = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [String(100 + i), { username: `u${i}@example.com` }]),
    );
    let failOnce = true;
    const source = {
      getUserData: ({ pageSize, pageIndex }: { pageSize: number; pageIndex: number }) => {
        if (pageIndex === 1 && failOnce) {
          failOnce = false;
          return Promise.reject(
            Object.assign(new Error('LastPass unavailable'), {
              code: 'LASTPASS_UNAVAILABLE',
              retryable: true,
            }),
          );
        }
        const page = Object.fromEntries(
          Object.entries(users).slice(pageIndex * pageSize, (pageIndex + 1) * pageSize),
        );
        return Promise.resolve({
          users: page,
          invited: ['new@example.com'],
          total: 5,
          count: Object.keys(page).length,
          apiCalls: 1,
        });
      },
    };
    const clock = new ManualClock(START);
    const sink = new MemorySink();
    const store = new MemoryCheckpointStore();
    const settings = { ...testAccount().user, pageSize: 2 };
    const stream = () => createUserStream({ source, settings, envelope });
    const first = await runStream({ ...base(clock, sink, store), stream: stream() });
    expect(first.outcome).toBe('failed');
    clock.current += 10 * MINUTE;
    const second = await runStream({ ...base(clock, sink, store), stream: stream() });
    expect(second.outcome).toBe('ok');
    const docs = [...(sink.documents.get('user')?.values() ?? [])];
    expect(docs).toHaveLength(6);
    expect(new Set(docs.map((d) => d.lastpass_enterprise?.snapshot?.id))).toEqual(
      new Set(['20240601T000000Z']),
    );
    expect(new Set(docs.map((d) => d.lastpass_enterprise?.snapshot?.started_at))).toEqual(
      new Set(['2024-06-01T00:00:00Z']),
    );
    expect(docs.every((d) => !('@timestamp' in d))).toBe(true);
    const cursor = (await store.load('8771312', 'user'))?.cursor as {
      in_progress: unknown;
      last_complete: { id: string };
    };
    expect(cursor.in_progress).toBeNull();
    expect(cursor.last_complete.id).toBe('20240601T000000Z');
  });
});

describe('time-zone self-check', () => {
  const zone = new AccountZone(ZONE);
  const calls = [Date.parse('2024-06-01T12:00:00Z'), Date.parse('2024-06-01T12:10:00Z')];
  const own = (text: string): ReportingRecord => ({
    Time: text,
    Username: 'API',
    IP_Address: '',
    Action: 'Reporting',
    Data: 'Initiated by API: lastpass-elastic',
  });

  it('ok when our calls are logged at our time in the configured zone', () => {
    expect(checkTimeZone([own('2024-06-01 08:00:01')], calls, zone, 'lastpass-elastic')?.ok).toBe(true);
  });

  it('reports a mismatch when our calls appear a whole offset away (account really in UTC)', () => {
    const v = checkTimeZone(
      [own('2024-06-01 12:00:01'), own('2024-06-01 12:10:03')],
      calls,
      zone,
      'lastpass-elastic',
    );
    expect(v?.ok).toBe(false);
    expect(v?.note).toMatch(/\+04:00 off/);
  });

  it('ignores calls that are not labelled with our apiuser', () => {
    const other = { ...own('2024-06-01 12:00:01'), Data: 'Initiated by API' };
    expect(checkTimeZone([other, other], calls, zone, 'lastpass-elastic')).toBeUndefined();
  });
});

describe('AccountZone', () => {
  const zone = new AccountZone(ZONE);
  it('formats instants as account wall clock and knows both passes of the fall-back hour', () => {
    expect(zone.format(Date.parse('2024-03-10T08:08:00Z'))).toBe('2024-03-10 04:08:00');
    expect(zone.instantsOf('2024-11-03 01:30:00')).toEqual([
      Date.parse('2024-11-03T05:30:00Z'),
      Date.parse('2024-11-03T06:30:00Z'),
    ]);
    expect(zone.instantsOf('2024-03-10 02:30:00')).toEqual([]);
    expect(zone.ambiguousPeriodOf(Date.parse('2024-11-03T06:10:00Z'))).toEqual({
      start: Date.parse('2024-11-03T05:00:00Z'),
      end: Date.parse('2024-11-03T07:00:00Z'),
    });
    expect(zone.ambiguousPeriodOf(Date.parse('2024-11-03T07:00:00Z'))).toBeUndefined();
    expect(zone.unambiguousAtOrBefore(Date.parse('2024-11-03T06:10:00Z'))).toBe(
      Date.parse('2024-11-03T04:10:00Z'),
    );
  });
});
