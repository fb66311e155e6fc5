/**
 * Reads the NDJSON output of `collect` / `demo` (contracts §7) and the collector's state files
 * (contracts §8, validated with the collector's own schema) into one `AccountData` per account.
 * Files are streamed line by line; only the selected snapshots' records, the change and invitation
 * events and one number per event (its time) are kept in memory.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  eventReportCursorSchema,
  FileCheckpointStore,
  isCollectorError,
  snapshotCursorSchema,
  type StreamState,
} from '@lastpass-elastic/collector';
import {
  ADMIN_ROLE_ACTIONS,
  changeKindOf,
  eventFromDocument,
  folderFromDocument,
  INVITE_ACTION,
  isPipelineError,
  POLICY_ACTIONS,
  userFromDocument,
  type EventRecord,
  type FolderMemberRecord,
  type UserRecord,
} from '../documents';
import { ReportError } from '../errors';
import {
  chooseSnapshot,
  countPerDay,
  resolvePeriod,
  toIso,
  type AccountData,
  type SnapshotSeen,
} from '../model';
import { STREAMS, type Coverage, type ReportParameters } from '../schema';

type Stream = (typeof STREAMS)[number];
const FILE_RE =
  /^lastpass_enterprise\.(user|detailed_shared_folder|event_report)-([a-z0-9_.]+?)\.ndjson(?:\.(\d+))?$/;

/** The NDJSON files of each stream in `dir` (every namespace, rotations included). */
export function ndjsonFiles(dir: string): Record<Stream, string[]> {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new ReportError(
        'REPORT_INPUT_UNREADABLE',
        `${dir}: not a directory (expected the NDJSON output of collect or demo)`,
      );
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof ReportError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT')
      throw new ReportError(
        'REPORT_NO_DATA',
        `${dir}: no such directory; run \`lastpass-elastic collect\` (or \`npm start\` for the demo) first, or pass --input-dir`,
      );
    throw new ReportError('REPORT_INPUT_UNREADABLE', `${dir}: cannot read the directory (${String(code)})`);
  }
  const files: Record<Stream, string[]> = { user: [], detailed_shared_folder: [], event_report: [] };
  for (const name of names.sort()) {
    const m = FILE_RE.exec(name);
    if (m !== null) files[m[1] as Stream].push(join(dir, name));
  }
  if (STREAMS.every((s) => files[s].length === 0))
    throw new ReportError(
      'REPORT_NO_DATA',
      `${dir}: no lastpass_enterprise.<stream>-<namespace>.ndjson files; run \`lastpass-elastic collect\` (or \`npm start\`) first`,
    );
  for (const s of STREAMS)
    if (files[s].length === 0)
      throw new ReportError(
        'REPORT_MISSING_STREAM',
        `${dir}: no lastpass_enterprise.${s}-<namespace>.ndjson: the ${s} stream was not collected (the report needs user, detailed_shared_folder and event_report)`,
      );
  return files;
}

/** Calls `onDocument` for every parsable line; returns how many lines could not be parsed. */
async function eachDocument(files: readonly string[], onDocument: (doc: unknown) => void): Promise<number> {
  let bad = 0;
  for (const file of files) {
    const lines = createInterface({
      input: createReadStream(file, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        let doc: unknown;
        try {
          doc = JSON.parse(line);
        } catch {
          bad += 1;
          continue;
        }
        onDocument(doc);
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ReportError('REPORT_INPUT_UNREADABLE', `${file}: cannot read (${String(code ?? error)})`);
    }
  }
  return bad;
}

/** Per account: the snapshots in the files, and the earliest snapshot listing each invitee. */
interface SnapshotScan {
  snapshots: Map<string, SnapshotSeen>;
  inviteeFirstSeen: Map<string, number>;
}

async function scanSnapshots(
  files: readonly string[],
  parse: (doc: unknown) => UserRecord | FolderMemberRecord | null,
): Promise<{ accounts: Map<string, SnapshotScan>; skipped: number }> {
  const accounts = new Map<string, SnapshotScan>();
  let skipped = 0;
  const unparsable = await eachDocument(files, (doc) => {
    const r = parse(doc);
    if (r === null) {
      skipped += 1;
      return;
    }
    let a = accounts.get(r.account);
    if (a === undefined) {
      a = { snapshots: new Map(), inviteeFirstSeen: new Map() };
      accounts.set(r.account, a);
    }
    const s = a.snapshots.get(r.snapshotId);
    if (s === undefined)
      a.snapshots.set(r.snapshotId, { id: r.snapshotId, start: r.snapshotStart, documents: 1 });
    else {
      s.documents += 1;
      s.start = Math.min(s.start, r.snapshotStart);
    }
    if ('invited' in r && r.invited) {
      const key = r.userName.toLowerCase();
      a.inviteeFirstSeen.set(key, Math.min(a.inviteeFirstSeen.get(key) ?? Infinity, r.snapshotStart));
    }
  });
  skipped += unparsable;
  return { accounts, skipped };
}

async function collectSnapshot<R extends UserRecord | FolderMemberRecord>(
  files: readonly string[],
  parse: (doc: unknown) => R | null,
  wanted: ReadonlyMap<string, string>,
): Promise<Map<string, R[]>> {
  const out = new Map<string, R[]>();
  await eachDocument(files, (doc) => {
    const r = parse(doc);
    if (r === null || wanted.get(r.account) !== r.snapshotId) return;
    const list = out.get(r.account);
    if (list === undefined) out.set(r.account, [r]);
    else list.push(r);
  });
  return out;
}

interface EventScan {
  times: Float64Array;
  length: number;
  newest: number;
  newestIngested: number | null;
  timeZone: string | null;
  changes: EventRecord[];
  invitedByEvent: Map<string, number>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
/** Actions whose events are read in full (configuration events too); every other event keeps only its time. */
const RELEVANT = new Set<string>([...ADMIN_ROLE_ACTIONS, ...POLICY_ACTIONS, INVITE_ACTION]);

async function scanEvents(
  files: readonly string[],
): Promise<{ accounts: Map<string, EventScan>; skipped: number }> {
  const accounts = new Map<string, EventScan>();
  let skipped = 0;
  const unparsable = await eachDocument(files, (doc) => {
    // A fast path for the many events no finding lists: only their time is kept. A pipeline_error document is
    // not an event (its @timestamp is when it was ingested): skipped.
    if (!isObject(doc) || isPipelineError(doc)) {
      skipped += 1;
      return;
    }
    const org = isObject(doc['organization']) ? doc['organization']['id'] : undefined;
    const stamp = doc['@timestamp'];
    const time = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    if (typeof org !== 'string' || Number.isNaN(time)) {
      skipped += 1;
      return;
    }
    let a = accounts.get(org);
    if (a === undefined) {
      a = {
        times: new Float64Array(1024),
        length: 0,
        newest: -Infinity,
        newestIngested: null,
        timeZone: null,
        changes: [],
        invitedByEvent: new Map(),
      };
      accounts.set(org, a);
    }
    if (a.length === a.times.length) {
      const grown = new Float64Array(a.times.length * 2);
      grown.set(a.times);
      a.times = grown;
    }
    a.times[a.length++] = time;
    const event = isObject(doc['event']) ? doc['event'] : {};
    if (time > a.newest) {
      a.newest = time;
      a.timeZone = typeof event['timezone'] === 'string' ? event['timezone'] : a.timeZone;
    }
    const ingested = typeof event['ingested'] === 'string' ? Date.parse(event['ingested']) : Number.NaN;
    if (!Number.isNaN(ingested) && (a.newestIngested === null || ingested > a.newestIngested))
      a.newestIngested = ingested;
    const action = typeof event['action'] === 'string' ? event['action'] : '';
    const categories = event['category'];
    const configuration = Array.isArray(categories)
      ? categories.includes('configuration')
      : categories === 'configuration';
    if (!RELEVANT.has(action) && !configuration) return;
    const record = eventFromDocument(doc);
    if (record === null) return;
    if (changeKindOf(record) !== null) a.changes.push(record);
    if (record.ecsAction === INVITE_ACTION)
      for (const target of record.targets) {
        const key = target.toLowerCase();
        a.invitedByEvent.set(key, Math.min(a.invitedByEvent.get(key) ?? Infinity, record.time));
      }
  });
  skipped += unparsable;
  return { accounts, skipped };
}

/** The collector's state of every account and stream, validated by the collector's own schema. */
async function readStates(stateDir: string | null): Promise<Map<string, Map<Stream, StreamState>>> {
  const out = new Map<string, Map<Stream, StreamState>>();
  if (stateDir === null) return out;
  const store = new FileCheckpointStore(stateDir);
  try {
    for (const { accountNumber, stream } of await store.list()) {
      const state = await store.load(accountNumber, stream);
      if (state === undefined) continue;
      let account = out.get(accountNumber);
      if (account === undefined) out.set(accountNumber, (account = new Map<Stream, StreamState>()));
      account.set(stream, state);
    }
  } catch (error) {
    if (isCollectorError(error))
      throw new ReportError('REPORT_INPUT_UNREADABLE', error.message, { cause: error });
    throw error;
  }
  return out;
}

function cursorOf(stream: Stream, state: StreamState): string | null {
  if (stream === 'event_report') {
    const parsed = eventReportCursorSchema.safeParse(state.cursor);
    return parsed.success ? parsed.data.upper : null;
  }
  const parsed = snapshotCursorSchema.safeParse(state.cursor);
  return parsed.success ? (parsed.data.last_complete?.started_at ?? null) : null;
}

function lastCompleteOf(state: StreamState | undefined): string | null {
  const parsed = snapshotCursorSchema.safeParse(state?.cursor);
  return parsed.success ? (parsed.data.last_complete?.id ?? null) : null;
}

const iso = (text: string | null): string | null =>
  text === null || Number.isNaN(Date.parse(text)) ? null : toIso(Date.parse(text));

function coverageFromState(states: ReadonlyMap<Stream, StreamState>): AccountData['collector'] {
  const streams: Coverage['streams'] = [];
  for (const stream of STREAMS) {
    const state = states.get(stream);
    if (state === undefined) {
      streams.push({
        stream,
        last_success: null,
        cursor: null,
        dead_letters: null,
        last_error: 'no state file for this stream',
        notes: {},
      });
      continue;
    }
    const h = state.health;
    const error = h.last_error;
    const current = error !== null && (h.last_success === null || error.at > h.last_success);
    streams.push({
      stream,
      last_success: iso(h.last_success),
      cursor: iso(cursorOf(stream, state)),
      dead_letters: h.dead_letters,
      last_error: current ? `${error.code}: ${error.message} (${error.at})` : null,
      notes: Object.fromEntries(Object.entries(h.notes).sort(([a], [b]) => (a < b ? -1 : 1))),
    });
  }
  return {
    basis: 'state_files',
    time_zone_check: states.get('event_report')?.health.notes['time_zone_check'] ?? null,
    streams,
  };
}

export interface NdjsonInput {
  inputDir: string;
  /** null: no state directory (coverage then comes from the data). */
  stateDir: string | null;
}

/** Every account's data, sorted by account number. */
export async function readNdjson(input: NdjsonInput, params: ReportParameters): Promise<AccountData[]> {
  const files = ndjsonFiles(input.inputDir);
  const states = await readStates(input.stateDir);
  const users = await scanSnapshots(files.user, userFromDocument);
  const folders = await scanSnapshots(files.detailed_shared_folder, folderFromDocument);
  const events = await scanEvents(files.event_report);

  let accounts = [
    ...new Set([...users.accounts.keys(), ...folders.accounts.keys(), ...events.accounts.keys()]),
  ].sort();
  if (params.accounts !== null) {
    for (const a of params.accounts)
      if (!accounts.includes(a))
        throw new ReportError(
          'REPORT_NO_DATA',
          `--account ${a}: no documents of this account in ${input.inputDir}`,
        );
    accounts = [...params.accounts].sort();
  }
  if (accounts.length === 0)
    throw new ReportError('REPORT_NO_DATA', `${input.inputDir}: the NDJSON files hold no LastPass documents`);

  const pick = (scan: Map<string, SnapshotScan>, stream: Stream, account: string) => {
    const choice = chooseSnapshot(
      [...(scan.get(account)?.snapshots.values() ?? [])],
      lastCompleteOf(states.get(account)?.get(stream)),
    );
    if (choice === undefined)
      throw new ReportError(
        'REPORT_MISSING_STREAM',
        `account ${account}: no ${stream} documents in ${input.inputDir}; collect the ${stream} stream for this account first`,
      );
    return choice;
  };
  const userChoice = new Map(accounts.map((a) => [a, pick(users.accounts, 'user', a)]));
  const folderChoice = new Map(accounts.map((a) => [a, pick(folders.accounts, 'detailed_shared_folder', a)]));
  const userRecords = await collectSnapshot(
    files.user,
    userFromDocument,
    new Map([...userChoice].map(([a, c]) => [a, c.snapshot.id])),
  );
  const folderRecords = await collectSnapshot(
    files.detailed_shared_folder,
    folderFromDocument,
    new Map([...folderChoice].map(([a, c]) => [a, c.snapshot.id])),
  );

  return accounts.map((account): AccountData => {
    const ev = events.accounts.get(account);
    if (ev === undefined)
      throw new ReportError(
        'REPORT_MISSING_STREAM',
        `account ${account}: no event_report documents in ${input.inputDir}; collect the event_report stream for this account first`,
      );
    const state = states.get(account);
    const u = userChoice.get(account);
    const f = folderChoice.get(account);
    if (u === undefined || f === undefined) throw new Error('unreachable: snapshot chosen above');
    const records = userRecords.get(account) ?? [];
    const cursor = state?.get('event_report');
    const upper = cursor === undefined ? null : cursorOf('event_report', cursor);
    const eventsThrough = upper !== null ? Date.parse(upper) : ev.newest;
    const period = resolvePeriod(params, eventsThrough, u.snapshot.start);
    const times = ev.times.subarray(0, ev.length);
    const eventsPerDay = countPerDay(period, times);
    const folderDocs = folderRecords.get(account) ?? [];
    const newestIngested = (list: readonly { ingested: number | null }[]): string | null => {
      let max: number | null = null;
      for (const r of list) if (r.ingested !== null && (max === null || r.ingested > max)) max = r.ingested;
      return max === null ? null : toIso(max);
    };
    const collector: AccountData['collector'] =
      state !== undefined
        ? coverageFromState(state)
        : {
            basis: 'data',
            time_zone_check: null,
            streams: [
              {
                stream: 'user',
                last_success: newestIngested(records),
                cursor: toIso(u.snapshot.start),
                dead_letters: null,
                last_error: null,
                notes: {},
              },
              {
                stream: 'detailed_shared_folder',
                last_success: newestIngested(folderDocs),
                cursor: toIso(f.snapshot.start),
                dead_letters: null,
                last_error: null,
                notes: {},
              },
              {
                stream: 'event_report',
                last_success: ev.newestIngested === null ? null : toIso(ev.newestIngested),
                cursor: toIso(ev.newest),
                dead_letters: null,
                last_error: null,
                notes: {},
              },
            ],
          };
    const skipped = users.skipped + folders.skipped + events.skipped;
    if (skipped > 0)
      for (const s of collector.streams)
        if (s.stream === 'event_report')
          s.notes = {
            ...s.notes,
            report_skipped_lines: `${skipped} NDJSON line(s) without the fields the report reads were skipped`,
          };
    return {
      account,
      timeZone: ev.timeZone ?? records[0]?.timeZone ?? null,
      period,
      users: {
        snapshot: {
          id: u.snapshot.id,
          started_at: toIso(u.snapshot.start),
          documents: u.snapshot.documents,
          selected_by: u.selectedBy,
        },
        records,
      },
      folders: {
        snapshot: {
          id: f.snapshot.id,
          started_at: toIso(f.snapshot.start),
          documents: f.snapshot.documents,
          selected_by: f.selectedBy,
        },
        records: folderDocs,
      },
      inviteeFirstSeen: users.accounts.get(account)?.inviteeFirstSeen ?? new Map<string, number>(),
      invitedByEvent: ev.invitedByEvent,
      changes: ev.changes.filter((e) => e.time >= period.from && e.time <= period.to),
      eventsInPeriod: eventsPerDay.reduce((n, d) => n + d.events, 0),
      eventsPerDay,
      eventsThrough,
      collector,
    };
  });
}
