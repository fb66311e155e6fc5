import { AccountZone } from '../../src/time/account-zone';
import type { ReportingRecord, ReportingSource } from '../../src/streams/sources';

export interface FakeBehaviour {
  order: 'newest-first' | 'oldest-first';
  fromInclusive: boolean;
  toInclusive: boolean;
  ambiguousTime: 'earlier' | 'later';
  pageSize: number;
  /** Give a `next` token on truncated pages (the collector must not need it). */
  next: boolean;
}

export interface TruthEvent {
  record: ReportingRecord;
  instant: number;
  visibleAt: number;
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A ground truth with the hard parts: bursts of identical records in one second (some larger than half
 * a page), events in both passes of the repeated DST hour with the same wall-clock text.
 */
export function makeHistory(options: {
  zone: string;
  start: number;
  end: number;
  events: number;
  seed: number;
  burst?: number;
  lateMs?: number;
}): TruthEvent[] {
  const zone = new AccountZone(options.zone);
  const random = prng(options.seed);
  const out: TruthEvent[] = [];
  const span = options.end - options.start;
  const users = ['ana@example.com', 'bo@example.com', 'cy@example.com', ''];
  const actions = ['Log in', 'Failed Login Attempt', 'Site Added', 'Open Secure Note'];
  while (out.length < options.events) {
    const instant = options.start + Math.floor((random() * span) / 1000) * 1000;
    const burst = random() < 0.01 ? Math.ceil(random() * (options.burst ?? 40)) : 1;
    const record: ReportingRecord = {
      Time: zone.format(instant),
      Username: users[Math.floor(random() * users.length)] ?? '',
      IP_Address: random() < 0.5 ? '10.0.0.1' : '',
      Action: actions[Math.floor(random() * actions.length)] ?? 'Log in',
      Data: random() < 0.7 ? '' : 'lastpass.com',
    };
    for (let i = 0; i < burst && out.length < options.events; i++)
      out.push({
        record: { ...record },
        instant,
        visibleAt: instant + Math.floor(random() * (options.lateMs ?? 0)),
      });
  }
  return out.sort((a, b) => a.instant - b.instant);
}

/** A `reporting` endpoint with configurable unverified behaviours, over a ground truth. */
export class FakeReporting implements ReportingSource {
  calls = 0;
  private readonly zone: AccountZone;

  constructor(
    private readonly truth: TruthEvent[],
    zone: string,
    private readonly behaviour: FakeBehaviour,
    private readonly now: () => number,
  ) {
    this.zone = new AccountZone(zone);
  }

  private resolve(text: string): number {
    const all = this.zone.instantsOf(text);
    const pick = this.behaviour.ambiguousTime === 'earlier' ? all[0] : all.at(-1);
    if (pick === undefined) throw new Error(`gap time ${text}`);
    return pick;
  }

  reporting(request: {
    from: string;
    to: string;
  }): Promise<{ events: ReportingRecord[]; next: number | null; apiCalls: number }> {
    this.calls++;
    const from = this.resolve(request.from);
    const to = this.resolve(request.to);
    const now = this.now();
    const b = this.behaviour;
    let hits = this.truth.filter(
      (e) =>
        e.visibleAt <= now &&
        (b.fromInclusive ? e.instant >= from : e.instant > from) &&
        (b.toInclusive ? e.instant <= to : e.instant < to),
    );
    if (b.order === 'newest-first') hits = [...hits].reverse();
    const truncated = hits.length > b.pageSize;
    const page = hits.slice(0, b.pageSize);
    return Promise.resolve({
      events: page.map((e) => ({ ...e.record })),
      next: truncated && b.next ? (page.at(-1)?.instant ?? 0) * 1000 : null,
      apiCalls: 1,
    });
  }
}

/** Multiset of records: key → count. */
export function recordCounts(records: Iterable<ReportingRecord>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = JSON.stringify([r.Time, r.Username, r.IP_Address, r.Action, r.Data]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
