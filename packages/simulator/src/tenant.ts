/**
 * A deterministic, seeded tenant: users, groups, invitees, shared folders and an event history across
 * the whole action catalog (lastpass-api.md §4, §11). Pure: the same options give the same tenant.
 */
import { CATALOG, MODERN_CASE_FROM, type CatalogEntry, type DataContext } from './catalog';
import type { SimulatorOptions } from './options';
import { createRng, type Rng } from './random';
import type {
  EventRecord,
  FolderMember,
  GroundTruthEvent,
  SimSharedFolder,
  SimUser,
  Tenant,
  UserRecord,
} from './types';
import { AccountZone } from './zone';

const FIRST = [
  'ana',
  'bo',
  'chen',
  'dara',
  'eli',
  'farah',
  'gus',
  'hana',
  'ivan',
  'jo',
  'kai',
  'lena',
  'mo',
  'nia',
  'omar',
  'pia',
];
const LAST = ['example', 'smith', 'garcia', 'kim', 'nowak', 'okafor', 'rossi', 'tanaka', 'silva', 'dubois'];
const GROUPS = [
  'Integration Development',
  'Finance Team',
  'Engineering',
  'Admins',
  'Contractors',
  'Sales EMEA',
  'Support',
];
const FOLDERS = [
  'Shared-Finance',
  'Shared-DevOps Keys',
  'Marketing',
  "Ana's Team",
  'Infra root',
  'Shared-HR',
  'Vendors',
  'Social Media',
  'Legal & Compliance',
  'SFolder33',
];
const SITES = [
  'github.com',
  'aws.amazon.com',
  'accounts.google.com',
  'salesforce.com',
  'slack.com',
  'example.com',
  'jira.example.net',
  'zoom.us',
];
const MFA = [null, 'googleauth', 'lastpassauth', 'microsoftauth', 'duo', 'yubikey'];
const DEPARTMENTS = ['Engineering', 'Finance', 'Sales', 'Support', 'Legal'];
const API_ACTORS = [
  '',
  'API',
  'API: provisioning-bridge',
  'API: Microsoft Sentinel CCP',
  'API: splunk.collector',
];
const DAY = 86_400_000;

function uuid(rng: Rng): string {
  const hex = (n: number): string => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
}

function makeUsers(
  o: SimulatorOptions,
  zone: AccountZone,
): { users: SimUser[]; groups: Record<string, string[]> } {
  const rng = createRng(o.seed, 'users');
  const groupNames = GROUPS.slice(0, Math.min(o.groups, GROUPS.length));
  for (let i = groupNames.length; i < o.groups; i++) groupNames.push(`Group ${i + 1}`);
  const groups: Record<string, string[]> = Object.fromEntries(groupNames.map((g) => [g, []]));
  const users: SimUser[] = [];
  let id = 450_000_000 + rng.int(0, 9_999_999);
  const startMs = o.start.getTime();
  const endMs = o.end.getTime();
  for (let i = 0; i < o.users; i++) {
    id += rng.int(1, 5_000_000);
    const first = FIRST[i % FIRST.length] ?? 'user';
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'example';
    const suffix = i >= FIRST.length * LAST.length ? String(i) : '';
    const username = `${first}.${last}${suffix}@example.com`;
    const admin = i === 0 || rng.chance(0.1);
    const never = i !== 0 && (i % 8 === 3 || rng.chance(0.05));
    const disabled = i !== 0 && (i % 11 === 5 || rng.chance(0.03));
    const createdMs = startMs - rng.int(1, 700) * DAY - rng.int(0, DAY / 1000) * 1000;
    const created = zone.format(createdMs);
    const record: UserRecord = {
      username,
      fullname:
        never && rng.chance(0.6)
          ? ''
          : `${first[0]?.toUpperCase() ?? ''}${first.slice(1)} ${last[0]?.toUpperCase() ?? ''}${last.slice(1)}`,
      mpstrength: never ? '0' : String(rng.int(20, 100)),
      created,
      last_pw_change: never ? created : zone.format(createdMs + rng.int(0, 300) * DAY),
      last_login: never
        ? ''
        : zone.format(startMs + Math.floor((rng.next() * (endMs - startMs)) / 1000) * 1000),
      neverloggedin: never,
      disabled,
      admin,
      password_reset_required: never || rng.chance(0.05),
      totalscore: never ? null : String(rng.int(0, 100)),
      duousername: never ? null : username,
      sites: never ? null : rng.int(0, 400),
      notes: never ? null : rng.int(0, 40),
      formfills: never ? null : rng.int(0, 5),
      applications: never ? null : rng.int(0, 3),
      attachments: never ? null : rng.int(0, 10),
    };
    const mfa = MFA[i % (MFA.length + 1)];
    if (mfa !== undefined) record.multifactor = mfa; // absent for every 7th user (unverified key)
    if (!never) {
      const mine = groupNames.filter(() => rng.chance(0.3));
      if (mine.length > 0) {
        record.groups = mine;
        for (const g of mine) groups[g]?.push(username);
      }
    }
    if (rng.chance(0.3)) {
      record.attribs = { objectGUID: uuid(rng), Department: rng.pick(DEPARTMENTS) };
      if (rng.chance(0.4)) record.attribs.password = `Initial-${uuid(rng)}`; // secrets pushed by batchadd
    }
    if (i === 2) record.linked = `${first}.personal@example.net`;
    users.push({ id: String(id), record });
  }
  return { users, groups };
}

function makeFolders(o: SimulatorOptions, users: SimUser[]): SimSharedFolder[] {
  const rng = createRng(o.seed, 'folders');
  const folders: SimSharedFolder[] = [];
  let id = 100 + rng.int(0, 900);
  for (let i = 0; i < o.sharedFolders; i++) {
    id += rng.int(1, 5_000);
    const name = i < FOLDERS.length ? (FOLDERS[i] ?? `Folder ${i}`) : `Shared-Project ${i}`;
    const booleans = i % 3 === 2; // some tenants/mocks answer booleans instead of 0/1
    const flag = (on: boolean): number | boolean => (booleans ? on : on ? 1 : 0);
    const members: FolderMember[] = [];
    const size = i % 5 === 4 ? 0 : rng.int(1, Math.min(8, users.length));
    const chosen = new Set<number>();
    while (chosen.size < size) chosen.add(rng.int(0, users.length - 1));
    for (const index of [...chosen].sort((a, b) => a - b)) {
      const user = users[index];
      if (user === undefined) continue;
      const readonly = rng.chance(0.4);
      const member: FolderMember = {
        username: user.record.username,
        readonly: flag(readonly),
        give: flag(!rng.chance(0.3)),
        can_administer: flag(!readonly && rng.chance(0.4)),
        sites: Array.from(new Set(Array.from({ length: rng.int(0, 5) }, () => rng.pick(SITES)))),
      };
      if (user.record.admin) member.superadmin = index === 0;
      members.push(member);
    }
    const folder: SimSharedFolder = {
      id: String(id),
      sharedfoldername: name,
      score: rng.int(0, 100),
      users: members,
    };
    if (i % 7 === 6) folder.deleted = true;
    else if (i % 2 === 0) folder.deleted = false;
    folders.push(folder);
  }
  return folders;
}

interface EventSpec {
  sec: number;
  record: Omit<EventRecord, 'Time'>;
}

class EventFactory {
  readonly #rng: Rng;
  readonly #active: string[];
  readonly #admins: string[];
  readonly #all: string[];
  readonly #folders: string[];
  readonly #groups: string[];
  readonly #ips = new Map<string, string[]>();
  readonly #cumulative: number[] = [];
  readonly #totalWeight: number;
  readonly #ctx: DataContext;

  constructor(o: SimulatorOptions, users: SimUser[], folders: SimSharedFolder[], groups: string[]) {
    this.#rng = createRng(o.seed, 'events');
    const rng = this.#rng;
    this.#all = users.map((u) => u.record.username);
    this.#active = users
      .filter((u) => !u.record.disabled && !u.record.neverloggedin)
      .map((u) => u.record.username);
    if (this.#active.length === 0) this.#active = this.#all;
    this.#admins = users.filter((u) => u.record.admin).map((u) => u.record.username);
    if (this.#admins.length === 0) this.#admins = this.#all.slice(0, 1);
    this.#folders = folders.map((f) => f.sharedfoldername);
    this.#groups = groups.length > 0 ? groups : ['Everyone'];
    let sum = 0;
    for (const entry of CATALOG) this.#cumulative.push((sum += entry.weight));
    this.#totalWeight = sum;
    this.#ctx = {
      rng,
      actor: '',
      target: () => rng.pick(this.#all),
      folder: () => rng.pick(this.#folders),
      group: () => rng.pick(this.#groups),
      site: () => rng.pick(SITES),
      vid: () =>
        `${rng.int(1, 9)}${String(rng.int(0, 999_999_999)).padStart(9, '0')}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`,
      apiUser: '',
    };
  }

  get rng(): Rng {
    return this.#rng;
  }

  pickEntry(): CatalogEntry {
    const x = this.#rng.next() * this.#totalWeight;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    const entry = CATALOG[lo];
    if (entry === undefined) throw new Error('empty catalog');
    return entry;
  }

  #ip(user: string): string {
    let pool = this.#ips.get(user);
    if (pool === undefined) {
      const rng = this.#rng;
      pool = [
        `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
        `10.16.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      ];
      if (rng.chance(0.4))
        pool.push(`2001:db8:${rng.int(0, 0xffff).toString(16)}::${rng.int(1, 0xffff).toString(16)}`);
      this.#ips.set(user, pool);
    }
    return this.#rng.chance(0.03) ? '' : this.#rng.pick(pool);
  }

  /** One record (without Time) for `entry` at `sec`. */
  make(entry: CatalogEntry, sec: number): EventSpec['record'] {
    const rng = this.#rng;
    let username: string;
    let ip: string;
    if (entry.actor === 'api') {
      username = rng.pick(API_ACTORS);
      ip = rng.chance(0.5) ? '' : this.#ip('API');
    } else if (entry.actor === 'system') {
      username = '';
      ip = '';
    } else {
      username = entry.actor === 'admin' ? rng.pick(this.#admins) : rng.pick(this.#active);
      ip = this.#ip(username);
    }
    this.#ctx.actor = username === '' ? rng.pick(this.#all) : username;
    this.#ctx.apiUser = username.startsWith('API: ') ? username.slice(5) : '';
    const action = entry.modern !== undefined && sec * 1000 >= MODERN_CASE_FROM ? entry.modern : entry.action;
    return { Username: username, IP_Address: ip, Action: action, Data: entry.data(this.#ctx) };
  }
}

/**
 * Seconds (epoch) of the special events placed around each DST change of the account zone. At a
 * fall-back, `twin` events repeat the previous record one hour later: the same wall-clock `Time`.
 */
function dstSeconds(zone: AccountZone, startMs: number, endMs: number): { sec: number; twin: boolean }[] {
  const out: { sec: number; twin: boolean }[] = [];
  for (const t of zone.transitions(startMs, endMs)) {
    const s = t.at / 1000;
    const jump = t.offsetAfterSeconds - t.offsetBeforeSeconds;
    out.push({ sec: s - 1, twin: false }, { sec: s, twin: false }, { sec: s + 1, twin: false });
    if (jump < 0) {
      for (const before of [1800, 600])
        out.push({ sec: s - before, twin: false }, { sec: s - before - jump, twin: true });
    }
  }
  return out.filter((d) => d.sec * 1000 >= startMs && d.sec * 1000 <= endMs);
}

function generateEvents(o: SimulatorOptions, zone: AccountZone, factory: EventFactory): GroundTruthEvent[] {
  const rng = factory.rng;
  const startSec = Math.ceil(o.start.getTime() / 1000);
  const endSec = Math.floor(o.end.getTime() / 1000);
  const span = endSec - startSec + 1;
  const total = o.events;
  // Special events: one per catalog action, then the DST edges (fall-back twins share a record).
  const specials: EventSpec[] = [];
  for (const entry of CATALOG) {
    if (specials.length >= total) break;
    const sec = startSec + Math.floor(rng.next() * span);
    specials.push({ sec, record: factory.make(entry, sec) });
  }
  const dst = dstSeconds(zone, o.start.getTime(), o.end.getTime());
  for (const { sec, twin } of dst) {
    if (specials.length >= total) break;
    const previous = twin ? specials.at(-1) : undefined;
    specials.push({
      sec,
      record: previous === undefined ? factory.make(factory.pickEntry(), sec) : { ...previous.record },
    });
  }
  specials.sort((a, b) => a.sec - b.sec);
  // The bulk: sorted uniform seconds, walked in order; bursts reuse the second of their first event.
  const bulkCount = total - specials.length;
  const secs = new Float64Array(bulkCount);
  for (let i = 0; i < bulkCount; i++) secs[i] = startSec + Math.floor(rng.next() * span);
  secs.sort();
  const events: GroundTruthEvent[] = [];
  let special = 0;
  let lastSec = Number.NaN;
  let lastTime = '';
  const late = createRng(o.seed, 'late');
  const push = (sec: number, record: EventSpec['record']): void => {
    if (sec !== lastSec) {
      lastSec = sec;
      lastTime = zone.format(sec * 1000);
    }
    const delay = o.lateArrivalSeconds > 0 ? late.int(0, o.lateArrivalSeconds) * 1000 : 0;
    events.push({
      record: {
        Time: lastTime,
        Username: record.Username,
        IP_Address: record.IP_Address,
        Action: record.Action,
        Data: record.Data,
      },
      instant: sec * 1000,
      micros: Number.NaN, // a double from the start: assignMicros then keeps the object shape
      visibleAt: sec * 1000 + delay,
      selfAudit: false,
    });
  };
  const flushSpecials = (upTo: number): void => {
    for (let s = specials[special]; s !== undefined && s.sec <= upTo; s = specials[++special])
      push(s.sec, s.record);
  };
  for (let i = 0; i < bulkCount;) {
    const sec = secs[i] ?? startSec;
    flushSpecials(sec);
    const entry = factory.pickEntry();
    const record = factory.make(entry, sec);
    push(sec, record);
    i++;
    if (entry.bursty === true && rng.chance(0.15)) {
      for (let n = rng.int(1, 4); n > 0 && i < bulkCount; n--, i++) push(sec, record); // identical repeats
    } else if (entry.bulk === true && rng.chance(0.5)) {
      for (let n = rng.int(1, 4); n > 0 && i < bulkCount; n--, i++) push(sec, factory.make(entry, sec));
    }
  }
  flushSpecials(Number.POSITIVE_INFINITY);
  assignMicros(events);
  return events;
}

/** Unique, ordered microsecond stamps: the events of one second spread evenly inside it. */
function assignMicros(events: GroundTruthEvent[]): void {
  let i = 0;
  while (i < events.length) {
    const first = events[i];
    if (first === undefined) break;
    let j = i + 1;
    while (j < events.length && (events[j] as GroundTruthEvent).instant === first.instant) j++;
    const n = j - i;
    for (let k = 0; k < n; k++) {
      (events[i + k] as GroundTruthEvent).micros =
        first.instant * 1000 + Math.floor(((k + 1) * 1_000_000) / (n + 1));
    }
    i = j;
  }
}

/** Pure and deterministic: the same options (seed included) give the same tenant. */
export function createTenant(options: SimulatorOptions): Tenant {
  const zone = new AccountZone(options.timeZone);
  const { users, groups } = makeUsers(options, zone);
  const sharedFolders = makeFolders(options, users);
  const factory = new EventFactory(options, users, sharedFolders, Object.keys(groups));
  const events = generateEvents(options, zone, factory);
  const invited = Array.from({ length: options.invited }, (_, i) => `invitee${i + 1}@example.org`);
  return { events, users, invited, groups, sharedFolders };
}
