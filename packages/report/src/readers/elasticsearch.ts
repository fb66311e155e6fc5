/**
 * Reads the report's data from Elasticsearch with the official client: per account, the newest complete
 * users and shared-folder snapshots (by `lastpass_enterprise.snapshot.id` and `@timestamp`, the snapshot
 * start) from the data streams — or from a latest-state index given with --users-index/--folders-index,
 * filtered the same way — and the period's events. With `latest` (the package's latest-state aliases),
 * the snapshot's documents are read from the alias when it exists and holds every document of the
 * snapshot chosen on the data streams (counts compared), else from the data streams, saying why.
 * Queries stay simple (bool of term/terms/range, sort, search_after, _count) so that they run on any
 * 8.x/9.x cluster and on the repository's fake.
 */
import { errors, type Client } from '@elastic/elasticsearch';
import {
  ADMIN_ROLE_ACTIONS,
  changeKindOf,
  eventFromDocument,
  folderFromDocument,
  INVITE_ACTION,
  POLICY_ACTIONS,
  userFromDocument,
  type EventRecord,
  type FolderMemberRecord,
  type UserRecord,
} from '../documents';
import { ReportError } from '../errors';
import { periodDays, resolvePeriod, toIso, type AccountData } from '../model';
import type { ReportParameters, SnapshotInfo } from '../schema';

export interface ElasticsearchInput {
  client: Client;
  /** The cluster URL as shown in the report (no credentials). */
  url: string;
  usersIndex: string;
  foldersIndex: string;
  eventsIndex: string;
  /** The newest snapshot counts as complete once no document arrived for this long (text, e.g. `5m`). */
  snapshotSettle: string;
  snapshotSettleMs: number;
  now: () => number;
  /**
   * Latest-state aliases (the package's transform destinations, `transformDestinations`) to read the
   * snapshot documents from when they exist on the cluster; the snapshot choice, invitation history and
   * events still come from `usersIndex`/`foldersIndex`/`eventsIndex`.
   */
  latest?: { users?: string; folders?: string };
}

/** Where the snapshot documents were read from (the alias when it was found), per stream. */
export interface ElasticsearchRead {
  accounts: AccountData[];
  usersIndex: string;
  foldersIndex: string;
}

type SnapshotRead<R> = { snapshot: SnapshotInfo; records: R[]; newestIngested: number | null; note?: string };

type Query = Record<string, unknown>;
interface Hit {
  _source?: unknown;
  sort?: unknown[];
}
const PAGE = 1000;
const ACCOUNT_FIELD = 'organization.id';
const SNAPSHOT_FIELD = 'lastpass_enterprise.snapshot.id';
const term = (field: string, value: string | boolean): Query => ({ term: { [field]: value } });
const bool = (filter: Query[], mustNot: Query[] = []): Query => ({
  bool: { filter, ...(mustNot.length > 0 ? { must_not: mustNot } : {}) },
});
const sortBy = (field: string, order: 'asc' | 'desc'): Query[] => [
  { [field]: { order, unmapped_type: 'date', missing: '_last' } },
  { 'event.id': { order, unmapped_type: 'keyword' } },
];

function failure(error: unknown, index: string): ReportError {
  if (error instanceof ReportError) return error;
  if (error instanceof errors.ResponseError) {
    if (error.statusCode === 401 || error.statusCode === 403)
      return new ReportError(
        'REPORT_ELASTICSEARCH_AUTH',
        `Elasticsearch refused the credentials (${error.statusCode}) reading ${index}; check ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD and the read privilege`,
      );
    return new ReportError(
      'REPORT_ELASTICSEARCH_FAILED',
      `Elasticsearch answered ${String(error.statusCode)} reading ${index}: ${error.message.split('\n')[0] ?? ''}`,
    );
  }
  return new ReportError(
    'REPORT_ELASTICSEARCH_FAILED',
    `Elasticsearch unreachable reading ${index}: ${error instanceof Error ? error.message : String(error)}`,
  );
}

class Reader {
  /** The latest-state aliases found on the cluster (set by `readElasticsearch`). */
  latest: { users?: string; folders?: string } = {};
  constructor(private readonly input: ElasticsearchInput) {}

  async search(index: string, query: Query, sort: Query[], size: number, after?: unknown[]): Promise<Hit[]> {
    try {
      const answer = await this.input.client.search({
        index,
        query,
        sort: sort as never,
        size,
        track_total_hits: false,
        ignore_unavailable: true,
        allow_no_indices: true,
        ...(after === undefined ? {} : { search_after: after as never }),
      });
      return answer.hits.hits;
    } catch (error) {
      throw failure(error, index);
    }
  }

  async newest(index: string, query: Query, field = '@timestamp'): Promise<Hit | undefined> {
    return (await this.search(index, query, sortBy(field, 'desc'), 1))[0];
  }

  /** Every matching hit, in `sort` order, page by page (search_after). */
  async *all(index: string, query: Query, sort: Query[]): AsyncGenerator<Hit> {
    let after: unknown[] | undefined;
    for (;;) {
      const hits = await this.search(index, query, sort, PAGE, after);
      yield* hits;
      if (hits.length < PAGE) return;
      after = hits.at(-1)?.sort;
      if (after === undefined) return;
    }
  }

  async count(index: string, query: Query): Promise<number> {
    try {
      return (
        await this.input.client.count({ index, query, ignore_unavailable: true, allow_no_indices: true })
      ).count;
    } catch (error) {
      throw failure(error, index);
    }
  }

  /** Accounts with user documents: the newest document of an account not seen yet, until none is left. */
  async accounts(): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const query =
        found.length === 0 ? { match_all: {} } : bool([], [{ terms: { [ACCOUNT_FIELD]: found } }]);
      const hit = await this.newest(this.input.usersIndex, query);
      const account = userFromDocument(hit?._source)?.account;
      if (account === undefined) break;
      found.push(account);
    }
    return found.sort();
  }

  /** Does this index or alias exist (and may we read it)? */
  async exists(index: string): Promise<boolean> {
    try {
      await this.input.client.count({ index });
      return true;
    } catch (error) {
      if (error instanceof errors.ResponseError && (error.statusCode === 404 || error.statusCode === 403))
        return false;
      throw failure(error, index);
    }
  }

  /**
   * The snapshot chosen on `index` (see `choose`), its documents read from the latest-state alias when
   * that holds all of them (same count of `event.kind: state` documents), else from `index` with a note.
   */
  async snapshot<R extends UserRecord | FolderMemberRecord>(
    index: string,
    latest: string | undefined,
    stream: string,
    account: string,
    parse: (doc: unknown) => R | null,
  ): Promise<SnapshotRead<R>> {
    const { chosen, selectedBy } = await this.choose(index, stream, account, parse);
    if (latest === undefined) return this.records(index, account, chosen, selectedBy, parse);
    const ofSnapshot = bool([
      term(ACCOUNT_FIELD, account),
      term(SNAPSHOT_FIELD, chosen.snapshotId),
      term('event.kind', 'state'),
    ]);
    const inStreams = await this.count(index, ofSnapshot);
    const inLatest = await this.count(latest, ofSnapshot);
    if (inStreams > 0 && inLatest === inStreams)
      return this.records(latest, account, chosen, selectedBy, parse);
    return {
      ...(await this.records(index, account, chosen, selectedBy, parse)),
      note: `${latest} holds ${inLatest} of the ${inStreams} documents of snapshot ${chosen.snapshotId} (the transform has not caught up): read from ${index}`,
    };
  }

  /** The snapshot to report: the newest that stopped receiving documents, else the newest. */
  async choose<R extends UserRecord | FolderMemberRecord>(
    index: string,
    stream: string,
    account: string,
    parse: (doc: unknown) => R | null,
  ): Promise<{ chosen: R; selectedBy: SnapshotInfo['selected_by'] }> {
    const ofAccount = term(ACCOUNT_FIELD, account);
    const newest = parse((await this.newest(index, bool([ofAccount])))?._source);
    if (newest === null)
      throw new ReportError(
        'REPORT_MISSING_STREAM',
        `account ${account}: no ${stream} documents in ${index}; collect the ${stream} stream for this account first`,
      );
    const lastOf = async (id: string): Promise<number | null> =>
      parse(
        (await this.newest(index, bool([ofAccount, term(SNAPSHOT_FIELD, id)]), 'event.ingested'))?._source,
      )?.ingested ?? null;
    const settledAt = (await lastOf(newest.snapshotId)) ?? newest.snapshotStart;
    let chosen = newest;
    let selectedBy: SnapshotInfo['selected_by'] = 'settled';
    if (this.input.now() - settledAt < this.input.snapshotSettleMs) {
      const previous = parse(
        (await this.newest(index, bool([ofAccount], [term(SNAPSHOT_FIELD, newest.snapshotId)])))?._source,
      );
      if (previous === null) selectedBy = 'unsettled';
      else chosen = previous;
    }
    return { chosen, selectedBy };
  }

  /** Every document of the chosen snapshot in `index`. */
  async records<R extends UserRecord | FolderMemberRecord>(
    index: string,
    account: string,
    chosen: R,
    selectedBy: SnapshotInfo['selected_by'],
    parse: (doc: unknown) => R | null,
  ): Promise<SnapshotRead<R>> {
    const ofAccount = term(ACCOUNT_FIELD, account);
    const records: R[] = [];
    let newestIngested: number | null = null;
    for await (const hit of this.all(
      index,
      bool([ofAccount, term(SNAPSHOT_FIELD, chosen.snapshotId)]),
      sortBy('event.id', 'asc').slice(1),
    )) {
      const r = parse(hit._source);
      if (r === null) continue;
      records.push(r);
      if (r.ingested !== null && (newestIngested === null || r.ingested > newestIngested))
        newestIngested = r.ingested;
    }
    const start = records.reduce((m, r) => Math.min(m, r.snapshotStart), chosen.snapshotStart);
    return {
      snapshot: {
        id: chosen.snapshotId,
        started_at: toIso(start),
        documents: records.length,
        selected_by: selectedBy,
      },
      records,
      newestIngested,
    };
  }

  async events(index: string, query: Query): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for await (const hit of this.all(index, query, sortBy('@timestamp', 'asc'))) {
      const e = eventFromDocument(hit._source);
      if (e !== null) out.push(e);
    }
    return out;
  }

  async account(account: string, params: ReportParameters): Promise<AccountData> {
    const { usersIndex, foldersIndex, eventsIndex } = this.input;
    const ofAccount = term(ACCOUNT_FIELD, account);
    const users = await this.snapshot(usersIndex, this.latest.users, 'user', account, userFromDocument);
    const folders = await this.snapshot(
      foldersIndex,
      this.latest.folders,
      'detailed_shared_folder',
      account,
      folderFromDocument,
    );

    const invitees = users.records.filter((u) => u.invited).map((u) => u.userName);
    const inviteeFirstSeen = new Map<string, number>();
    const invitedByEvent = new Map<string, number>();
    const earliest = (map: Map<string, number>, name: string, at: number): void => {
      const key = name.toLowerCase();
      map.set(key, Math.min(map.get(key) ?? Infinity, at));
    };
    if (invitees.length > 0) {
      const query = bool([
        ofAccount,
        term('lastpass_enterprise.user.invited', true),
        { terms: { 'user.name': invitees } },
      ]);
      for await (const hit of this.all(usersIndex, query, sortBy('@timestamp', 'asc'))) {
        const u = userFromDocument(hit._source);
        if (u !== null) earliest(inviteeFirstSeen, u.userName, u.snapshotStart);
      }
      const invites = await this.events(
        eventsIndex,
        bool([ofAccount, term('event.action', INVITE_ACTION), { terms: { 'user.target.name': invitees } }]),
      );
      for (const e of invites) for (const t of e.targets) earliest(invitedByEvent, t, e.time);
    }

    const newestEvent = eventFromDocument((await this.newest(eventsIndex, bool([ofAccount])))?._source);
    if (newestEvent === null)
      throw new ReportError(
        'REPORT_MISSING_STREAM',
        `account ${account}: no event_report documents in ${eventsIndex}; collect the event_report stream for this account first`,
      );
    const lastIngested =
      eventFromDocument((await this.newest(eventsIndex, bool([ofAccount]), 'event.ingested'))?._source)
        ?.ingested ?? null;
    const period = resolvePeriod(params, newestEvent.time, Date.parse(users.snapshot.started_at));
    const range = (from: number, to: number): Query => ({
      range: { '@timestamp': { gte: toIso(from), lte: toIso(to) } },
    });
    const changes = (
      await this.events(
        eventsIndex,
        bool([
          ofAccount,
          range(period.from, period.to),
          {
            bool: {
              should: [
                { terms: { 'event.action': [...ADMIN_ROLE_ACTIONS, ...POLICY_ACTIONS] } },
                term('event.category', 'configuration'),
              ],
              minimum_should_match: 1,
            },
          },
        ]),
      )
    ).filter((e) => changeKindOf(e) !== null);
    const eventsPerDay: AccountData['eventsPerDay'] = [];
    for (const d of periodDays(period))
      eventsPerDay.push({
        date: d.date,
        events: await this.count(eventsIndex, bool([ofAccount, range(d.from, d.to)])),
      });
    const iso = (ms: number | null): string | null => (ms === null ? null : toIso(ms));
    const fromData = (
      stream: 'user' | 'detailed_shared_folder' | 'event_report',
      last: number | null,
      cursor: string,
      note?: string,
    ) => ({
      stream,
      last_success: iso(last),
      cursor,
      dead_letters: null,
      last_error: null,
      notes: note === undefined ? {} : { latest_state: note },
    });
    return {
      account,
      timeZone: newestEvent.timeZone ?? users.records[0]?.timeZone ?? null,
      period,
      users: { snapshot: users.snapshot, records: users.records },
      folders: { snapshot: folders.snapshot, records: folders.records },
      inviteeFirstSeen,
      invitedByEvent,
      changes,
      eventsInPeriod: eventsPerDay.reduce((n, d) => n + d.events, 0),
      eventsPerDay,
      eventsThrough: newestEvent.time,
      collector: {
        basis: 'data',
        time_zone_check: null,
        streams: [
          fromData('user', users.newestIngested, users.snapshot.started_at, users.note),
          fromData(
            'detailed_shared_folder',
            folders.newestIngested,
            folders.snapshot.started_at,
            folders.note,
          ),
          fromData('event_report', lastIngested, toIso(newestEvent.time)),
        ],
      },
    };
  }
}

/** Every requested (or found) account's data, sorted by account number, and where snapshots were read. */
export async function readElasticsearch(
  input: ElasticsearchInput,
  params: ReportParameters,
): Promise<ElasticsearchRead> {
  const reader = new Reader(input);
  const accounts = params.accounts ?? (await reader.accounts());
  if (accounts.length === 0)
    throw new ReportError(
      'REPORT_NO_DATA',
      `${input.url}: no LastPass user documents in ${input.usersIndex}; run \`lastpass-elastic collect\` into this cluster first`,
    );
  const { users, folders } = input.latest ?? {};
  reader.latest = {
    ...(users !== undefined && (await reader.exists(users)) ? { users } : {}),
    ...(folders !== undefined && (await reader.exists(folders)) ? { folders } : {}),
  };
  const out: AccountData[] = [];
  for (const account of [...accounts].sort()) out.push(await reader.account(account, params));
  return {
    accounts: out,
    usersIndex: reader.latest.users ?? input.usersIndex,
    foldersIndex: reader.latest.folders ?? input.foldersIndex,
  };
}
