/**
 * The Elasticsearch sink's retry backoff restarts when an attempt makes progress (issue #15 §7): an outage
 * of N seconds followed by a recovering cluster (most items answered 429 for a few rounds) finishes within
 * a bounded time after recovery, whatever N. The fake Elasticsearch injects the faults; the sink's clock
 * is virtual (its sleeps advance it), so nothing waits for real.
 */
import { startFakeElasticsearch, type FakeElasticsearch } from '@lastpass-elastic/ingest';
import { Secret } from '../src/config/secret';
import { silentLogger } from '../src/observability/logger';
import { createElasticsearchClient, ElasticsearchSink } from '../src/sink/elasticsearch';
import { makeDocument } from '../src/streams/types';

const DOCUMENTS = 50;
/** Each round of the recovery, the first 10 items are indexed and the others answered 429. */
const ACCEPTED_PER_ROUND = 10;

/** A virtual clock that arms the fault of the next bulk request after each wait: the outage, then the recovery. */
class OutageClock {
  now_ = 0;
  sleeps: number[] = [];
  constructor(
    private readonly fake: FakeElasticsearch,
    readonly recoveryAt: number,
  ) {}
  now(): number {
    return this.now_;
  }
  random(): number {
    return 0.5;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.now_ += ms;
    this.arm();
    return Promise.resolve();
  }
  arm(): void {
    this.fake.faults.clear();
    if (this.now_ < this.recoveryAt) this.fake.faults.next({ kind: 'status', status: 503, path: '/_bulk' });
    else
      this.fake.faults.next({
        kind: 'item-status',
        status: 429,
        items: Array.from({ length: DOCUMENTS }, (_, i) => i).slice(ACCEPTED_PER_ROUND),
      });
  }
}

async function writeThroughOutage(outageMs: number) {
  const fake = await startFakeElasticsearch({ recordRequests: false, bulkMode: 'acknowledge' });
  try {
    const clock = new OutageClock(fake, outageMs);
    const sink = new ElasticsearchSink({
      client: createElasticsearchClient({
        url: fake.url,
        auth: { kind: 'api_key', apiKey: new Secret('a2V5') },
        caFile: undefined,
        bulkMaxDocuments: 1000,
        bulkConcurrency: 1,
      }),
      namespace: 'default',
      clock,
      logger: silentLogger,
      maxDocuments: 1000,
      // the defaults: 500 ms doubling, at most 30 s a wait, 300 s without progress
    });
    const envelope = {
      accountNumber: '1',
      timeZone: 'UTC',
      namespace: 'default',
      tags: [],
      preserveOriginalEvent: false,
    };
    const documents = Array.from({ length: DOCUMENTS }, (_, i) =>
      makeDocument('event_report', envelope, { n: i }),
    );
    clock.arm();
    const verdicts = await sink.write('event_report', documents);
    await sink.close();
    return { verdicts, finishedAfterRecovery: clock.now() - outageMs, sleeps: clock.sleeps };
  } finally {
    await fake.close();
  }
}

describe('Elasticsearch retry backoff (§7)', () => {
  it.each([15_000, 200_000])(
    'an outage of %i ms, then a recovering cluster: every document indexed within 30 s of recovery',
    async (outageMs) => {
      const { verdicts, finishedAfterRecovery, sleeps } = await writeThroughOutage(outageMs);
      expect(verdicts.every((v) => v.status === 'indexed')).toBe(true);
      // the first attempt after recovery waits at most one capped delay (30 s × ¾ with this jitter);
      // every later round made progress, so it waits the base delay again
      expect(finishedAfterRecovery).toBeLessThanOrEqual(30_000);
      const afterRecovery = sleeps.slice(-(DOCUMENTS / ACCEPTED_PER_ROUND - 1));
      expect(afterRecovery).toEqual(Array(DOCUMENTS / ACCEPTED_PER_ROUND - 1).fill(375));
    },
  );
});
