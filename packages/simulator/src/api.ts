/**
 * The command handlers: pure functions of (tenant, options, clock, request) → answer. The HTTP layer
 * (server.ts) adds faults and transport; tests can call these directly.
 */
import type { VirtualClock } from './clock';
import type { SimulatorOptions } from './options';
import type { EventRecord, GroundTruthEvent, SimSharedFolder, Tenant } from './types';
import { AccountZone, WALL_CLOCK_PATTERN } from './zone';

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** LastPass labels every answer, JSON included, like this (lastpass-api.md §1). */
export const CONTENT_TYPE = 'text/xml;charset=UTF-8';
export const AUTH_ERROR_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<lastpass rc="Authorization Error"/>\n';

const ok = (body: string): Answer => ({ status: 200, body });
const fail = (error: string): Answer => ok(JSON.stringify({ status: 'FAIL', error }));
/** PHP encodes an empty associative array as `[]`. */
const phpMap = (entries: string[]): string => (entries.length === 0 ? '[]' : `{${entries.join(',')}}`);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Numbers inside `data` may be strings (`"2000"`). */
function intParam(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

/** First index in [lo, hi) whose event satisfies the monotone predicate. */
function lowerBound(
  events: GroundTruthEvent[],
  predicate: (e: GroundTruthEvent) => boolean,
  lo = 0,
  hi = events.length,
): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = events[mid];
    if (e !== undefined && predicate(e)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface ApiRequest {
  cmd: string;
  data: unknown;
  /** Top-level `user` (peers send `allusers` there). */
  user: unknown;
  apiUser: string;
}

export class Api {
  readonly zone: AccountZone;
  readonly #admins: Set<string>;

  constructor(
    readonly tenant: Tenant,
    readonly options: SimulatorOptions,
    readonly clock: VirtualClock,
  ) {
    this.zone = new AccountZone(options.timeZone);
    this.#admins = new Set(
      tenant.users.filter((u) => u.record.admin).map((u) => u.record.username.toLowerCase()),
    );
  }

  handle(req: ApiRequest): Answer {
    const refused = this.options.restricted && req.cmd !== 'reporting' && this.#restricted();
    if (refused !== false) return refused;
    let answer: Answer;
    let audit: string | undefined;
    switch (req.cmd) {
      case 'reporting':
        answer = this.reporting(req);
        audit = 'Reporting';
        break;
      case 'getuserdata':
        answer = this.userData(req.data);
        audit = 'Get User Data';
        break;
      case 'getsfdata':
        answer = this.folders(req.data, false);
        audit = 'Get Shared Folder Data';
        break;
      case 'getdetailedsfdata':
        answer = this.folders(req.data, true);
        audit = 'Get Shared Folder Data';
        break;
      default:
        return fail(`Unknown command: ${req.cmd}`);
    }
    if (this.options.selfAudit && answer.status === 200) this.#selfAudit(audit, req.apiUser);
    return answer;
  }

  #restricted(): Answer {
    return this.options.restrictedResponse === 'xml'
      ? ok('<?xml version="1.0" encoding="UTF-8"?>\n<lastpass rc="Policy restricts this command"/>\n')
      : fail('The Enterprise API is restricted to event reporting by account policy');
  }

  /** Appends the call's own audit event at the account-zone time of the call (it joins the ground truth). */
  #selfAudit(action: string, apiUser: string): void {
    const nowMs = this.clock.now().getTime();
    const instant = Math.floor(nowMs / 1000) * 1000;
    const events = this.tenant.events;
    // After every event of the same second: micros stay unique and ordered.
    const index = lowerBound(events, (e) => e.instant > instant);
    const previous = events[index - 1];
    const micros = Math.max(nowMs * 1000, previous === undefined ? 0 : previous.micros + 1);
    const record: EventRecord = {
      Time: this.zone.format(instant),
      Username: this.options.selfAuditUsername,
      IP_Address: '127.0.0.1',
      Action: action,
      Data: apiUser === '' ? 'Initiated by API' : `Initiated by API: ${apiUser}`,
    };
    events.splice(index, 0, { record, instant, micros, visibleAt: instant, selfAudit: true });
  }

  reporting(req: ApiRequest): Answer {
    const o = this.options;
    const data = isRecord(req.data) ? req.data : {};
    const { from, to } = data;
    if (
      typeof from !== 'string' ||
      typeof to !== 'string' ||
      !WALL_CLOCK_PATTERN.test(from) ||
      !WALL_CLOCK_PATTERN.test(to)
    ) {
      return fail('Invalid from/to: expected "YYYY-MM-DD HH:MM:SS"');
    }
    const fromMs = this.zone.parse(from, o.ambiguousTime);
    const toMs = this.zone.parse(to, o.ambiguousTime);
    if (fromMs === undefined || toMs === undefined) return fail('Invalid from/to date');
    let token: number | undefined;
    if (data.next !== undefined && data.next !== null && data.next !== '') {
      token = intParam(data.next);
      if (token === undefined) return fail('Invalid next');
    }
    const events = this.tenant.events;
    const nowMs = this.clock.now().getTime();
    const lo = lowerBound(events, o.fromInclusive ? (e) => e.instant >= fromMs : (e) => e.instant > fromMs);
    const hi = Math.min(
      lowerBound(events, o.toInclusive ? (e) => e.instant > toMs : (e) => e.instant >= toMs),
      lowerBound(events, (e) => e.instant > nowMs),
    );
    const matches = this.#filter(data, req.user, nowMs);
    const picked: GroundTruthEvent[] = [];
    let following: GroundTruthEvent | undefined;
    // Newest first: walk down from the token (events at that instant or earlier); oldest first: walk up.
    const newestFirst = o.order === 'newest-first';
    const step = newestFirst ? -1 : 1;
    let i: number;
    if (newestFirst)
      i =
        (token === undefined
          ? hi
          : Math.min(
              hi,
              lowerBound(events, (e) => e.micros > token),
            )) - 1;
    else
      i =
        token === undefined
          ? lo
          : Math.max(
              lo,
              lowerBound(events, (e) => e.micros >= token),
            );
    for (; i >= lo && i < hi; i += step) {
      const e = events[i];
      if (e === undefined || !matches(e)) continue;
      if (picked.length === o.pageSize) {
        following = e;
        break;
      }
      picked.push(e);
    }
    let next: number | null = null;
    if (following !== undefined) {
      next =
        o.nextMode === 'older-microtime' ? following.micros : (picked.at(-1)?.micros ?? following.micros);
    }
    const parts = picked.map((e, i) => `"Event${i + 1}":${JSON.stringify(e.record)}`);
    const nextJson =
      next === null ? 'null' : o.nextType === 'string' ? JSON.stringify(String(next)) : String(next);
    return ok(`{"status":"OK","next":${nextJson},"data":${phpMap(parts)}}`);
  }

  #filter(data: Record<string, unknown>, topUser: unknown, nowMs: number): (e: GroundTruthEvent) => boolean {
    const userParam =
      typeof data.user === 'string' ? data.user : typeof topUser === 'string' ? topUser : 'allusers';
    const user =
      userParam.toLowerCase() === 'allusers' || userParam === '' ? undefined : userParam.toLowerCase();
    const adminOnly = intParam(data.admin) === 1;
    const search =
      typeof data.search === 'string' && data.search !== '' ? data.search.toLowerCase() : undefined;
    const late = this.options.lateArrivalSeconds > 0;
    const admins = this.#admins;
    if (user === undefined && !adminOnly && search === undefined && !late) return () => true;
    return (e) => {
      if (late && e.visibleAt > nowMs) return false;
      const r = e.record;
      if (user !== undefined && r.Username.toLowerCase() !== user) return false;
      if (adminOnly && !admins.has(r.Username.toLowerCase())) return false;
      if (search !== undefined) {
        const hay = `${r.Username}\n${r.IP_Address}\n${r.Action}\n${r.Data}`.toLowerCase();
        if (!hay.includes(search)) return false;
      }
      return true;
    };
  }

  userData(raw: unknown): Answer {
    const data = isRecord(raw) ? raw : {};
    let users = this.tenant.users;
    if (typeof data.username === 'string') {
      const wanted = data.username.toLowerCase();
      users = users.filter((u) => u.record.username.toLowerCase() === wanted);
    }
    if (intParam(data.disabled) === 1) users = users.filter((u) => u.record.disabled);
    if (intParam(data.admin) === 1) users = users.filter((u) => u.record.admin);
    const total = users.length;
    const requested = intParam(data.pagesize);
    const index = intParam(data.pageindex) ?? 0;
    const paged = requested !== undefined && requested > 0;
    let page = users;
    if (paged) {
      const size = Math.min(requested, this.options.userPageSize);
      page = users.slice(index * size, index * size + size);
    }
    const groups = Object.entries(this.tenant.groups).map(
      ([name, members]) => `${JSON.stringify(name)}:${JSON.stringify(members)}`,
    );
    const body = [
      `"total":${total}`,
      `"count":${page.length}`,
      `"Users":${phpMap(page.map((u) => `${JSON.stringify(u.id)}:${JSON.stringify(u.record)}`))}`,
      `"Groups":${phpMap(groups)}`,
    ];
    if ((!paged || index === 0) && this.tenant.invited.length > 0)
      body.push(`"invited":${JSON.stringify(this.tenant.invited)}`);
    return ok(`{${body.join(',')}}`);
  }

  folders(raw: unknown, detailed: boolean): Answer {
    let folders = this.tenant.sharedFolders;
    const requested = isRecord(raw) ? intParam(raw.pagesize) : undefined;
    if (detailed && requested !== undefined && requested > 0) {
      const size = Math.min(requested, this.options.folderPageSize);
      const index = isRecord(raw) ? (intParam(raw.pageindex) ?? 0) : 0;
      folders = folders.slice(index * size, index * size + size);
    } else if (
      detailed &&
      this.options.unpagedFolderLimit !== undefined &&
      folders.length > this.options.unpagedFolderLimit
    ) {
      return { status: 429, body: 'Too Many Requests', headers: { 'content-type': 'text/html' } };
    }
    return ok(
      phpMap(folders.map((f) => `${JSON.stringify(f.id)}:${JSON.stringify(folderRecord(f, detailed))}`)),
    );
  }
}

function folderRecord(folder: SimSharedFolder, detailed: boolean): Record<string, unknown> {
  const { id: _id, users, ...rest } = folder;
  return { ...rest, users: detailed ? users : users.map(({ sites: _sites, ...member }) => member) };
}
