// Every detection rule of the package, replayed by OUR model of Kibana's detection engine
// (packages/package-tools src/rules: KQL evaluator + query/threshold/new_terms replay — not Kibana) on
// event-report documents made by the package pipeline: it must fire on a crafted attack sequence and stay
// silent on a quiet day of the same tenant. Users come from the simulator's tenant; the records follow
// the formats the simulator (and LastPass) use.
import {
  runRule,
  type IndexedDocument,
  type RuleAlert,
  type RuleSpec,
} from '@lastpass-elastic/package-tools';
import { createTenant, resolveOptions } from '@lastpass-elastic/simulator';
import { ACCOUNT, packageRules, rec, rng, toDocuments, typeOf, type TimedRecord } from './support';

const tenant = createTenant(resolveOptions({ seed: 1, events: 5000 }));
const active = tenant.users
  .filter((u) => !u.record.disabled && !u.record.neverloggedin)
  .map((u) => u.record.username);
const admin = tenant.users.find((u) => u.record.admin)?.record.username ?? '';
const victim = active.find((u) => u !== admin) ?? '';
const folder = tenant.sharedFolders[0]?.sharedfoldername ?? 'Shared-Finance';

// Addresses of the GeoIP test table the pipeline resolves (homes SE, GB, US, NL, ES; attackers CN, BT).
const HOMES = ['89.160.20.130', '81.2.69.142', '216.160.83.57', '198.51.100.20', '203.0.113.40'];
const home = (user: string): string => HOMES[active.indexOf(user) % HOMES.length] ?? HOMES[0]!;
const ATTACKER = '175.16.199.10';
const SPRAYER = '67.43.156.20';

const H = 3_600_000;
const M = 60_000;
const DAY = Date.parse('2024-11-13T00:00:00Z');
const API = 'API: lastpass-elastic';
const CHROME = 'LastPass via Chrome v4.134.0';

/** 30 days of one login a day per active user from their home country (history for new_terms). */
function history(): TimedRecord[] {
  const out: TimedRecord[] = [];
  for (let d = 30; d >= 1; d -= 1)
    active.forEach((u, i) => out.push(rec(DAY - d * 24 * H + 14 * H + i * M, u, home(u), 'Log in', CHROME)));
  return out;
}

/** An ordinary day: logins, a few failures, vault use, internal sharing, admin routine, API polling. */
function quietDay(): TimedRecord[] {
  const r = rng(13);
  const out: TimedRecord[] = [];
  for (const u of active) {
    const ip = home(u);
    for (let n = r.int(2, 5); n > 0; n -= 1) {
      const t = DAY + r.int(7, 20) * H + r.int(0, 59) * M;
      if (r.next() < 0.3) out.push(rec(t - 2 * M, u, ip, 'Failed Login Attempt', CHROME));
      out.push(rec(t, u, ip, 'Log in', CHROME));
      out.push(rec(t + 3 * M, u, ip, 'Open Secure Note', 'Secure Note (Server)'));
    }
    for (let n = r.int(0, 3); n > 0; n -= 1)
      out.push(rec(DAY + r.int(8, 18) * H, u, ip, 'Site Added', 'example.com/ServiceLogin'));
    for (let n = r.int(0, 2); n > 0; n -= 1)
      out.push(rec(DAY + r.int(8, 18) * H + 5 * M, u, ip, 'Form Filled'));
    for (let n = r.int(0, 2); n > 0; n -= 1)
      out.push(
        rec(DAY + r.int(8, 18) * H + 7 * M, u, ip, 'Site deleted', `VID: 49632279356273141${r.int(10, 99)}`),
      );
    if (r.next() < 0.2) out.push(rec(DAY + 10 * H, u, ip, 'Multifactor Enabled'));
  }
  const a = admin;
  const others = active.filter((u) => u !== a);
  out.push(rec(DAY + 9 * H, a, home(a), 'Login to Admin Console', a));
  out.push(rec(DAY + 9 * H + 5 * M, a, home(a), 'Add to Shared Folder', `'${folder}' '${others[0] ?? ''}'`));
  out.push(
    rec(
      DAY + 9 * H + 6 * M,
      a,
      home(a),
      'Update Folder Permissions',
      `'${folder}' '${others[1] ?? ''}' 'Read only:yes Admin:no Hide PW:yes'`,
    ),
  );
  out.push(rec(DAY + 9 * H + 8 * M, a, home(a), 'Add to Group', `${others[2] ?? ''} - Engineering`));
  out.push(rec(DAY + 9 * H + 9 * M, a, home(a), 'Employee Invited', 'new.hire@example.com'));
  out.push(rec(DAY + 11 * H, others[3] ?? a, home(others[3] ?? a), 'SAML Login', 'authorizationserver.oidc'));
  // the integration's own polling (tagged lastpass_api_poll by the pipeline)
  for (let t = DAY; t < DAY + 24 * H; t += 10 * M)
    out.push(rec(t + 30_000, API, '', 'Reporting', 'Initiated by API: lastpass-elastic'));
  out.push(rec(DAY + 6 * H, API, '', 'Get User Data', 'Initiated by API: lastpass-elastic'));
  out.push(rec(DAY + 6 * H + M, API, '', 'Get Shared Folder Data', 'Initiated by API: lastpass-elastic'));
  return out.sort((x, y) => x.instant - y.instant);
}

/** The attack: brute force, spraying, takeover from a new country, then persistence and theft. */
function attack(): TimedRecord[] {
  const t0 = DAY + 3 * H;
  const out: TimedRecord[] = [];
  for (let i = 0; i < 12; i += 1)
    out.push(rec(t0 + i * 15_000, victim, ATTACKER, 'Failed Login Attempt', CHROME));
  active
    .filter((u) => u !== victim)
    .slice(0, 5)
    .forEach((u, i) => {
      for (let k = 0; k < 3; k += 1)
        out.push(rec(t0 + 4 * M + i * 20_000 + k * 5_000, u, SPRAYER, 'Failed Login Attempt', ''));
    });
  out.push(rec(t0 + 6 * M, victim, ATTACKER, 'Log in', CHROME));
  out.push(rec(t0 + 7 * M, victim, ATTACKER, 'Disabled Multifactor Authentication'));
  out.push(rec(t0 + 8 * M, victim, ATTACKER, 'Data Export'));
  for (let i = 0; i < 25; i += 1)
    out.push(
      rec(t0 + 9 * M + i * 10_000, victim, ATTACKER, 'Site deleted', `VID: 4963227935627314${100 + i}`),
    );
  out.push(rec(t0 + 14 * M, victim, ATTACKER, 'Add to Shared Folder', `'${folder}' 'drop.box@gmail.com'`));
  // the attacker got hold of an admin session
  out.push(rec(t0 + 20 * M, admin, ATTACKER, 'Make Admin', victim));
  out.push(rec(t0 + 21 * M, admin, ATTACKER, 'Master Password Reset by Super Admin', active[2] ?? ''));
  out.push(rec(t0 + 22 * M, admin, ATTACKER, 'Enterprise API Secret regenerated'));
  out.push(rec(t0 + 23 * M, admin, ATTACKER, 'Delete Policy', 'Restrict export'));
  return out;
}

const window = { start: DAY - 15 * M, end: DAY + 25 * H };
const quietDocs: IndexedDocument[] = toDocuments([...history(), ...quietDay()]);
const attackDocs: IndexedDocument[] = toDocuments([...history(), ...quietDay(), ...attack()]);
const rules = packageRules();
const byName = new Map(rules.map((r) => [r.name, r]));

function run(spec: RuleSpec, docs: IndexedDocument[]): RuleAlert[] {
  return runRule(spec, docs, window, typeOf);
}

/** What each rule must find in the attack (terms for threshold/new_terms, actions for query rules). */
const EXPECTED: Record<string, { terms?: string[][]; actions?: string[] }> = {
  'LastPass Enterprise - Brute force against one account': { terms: [[ACCOUNT, victim]] },
  'LastPass Enterprise - Failed logins from one IP against several accounts': { terms: [[ACCOUNT, SPRAYER]] },
  'LastPass Enterprise - Login from a new country': { terms: [[ACCOUNT, victim, 'CN']] },
  'LastPass Enterprise - Multifactor authentication disabled': {
    actions: ['disabled multifactor authentication'],
  },
  'LastPass Enterprise - User granted admin': { actions: ['make admin'] },
  'LastPass Enterprise - Master password reset by an admin': {
    actions: ['master password reset by super admin'],
  },
  'LastPass Enterprise - Provisioning hash or API secret regenerated': {
    actions: ['enterprise api secret regenerated'],
  },
  'LastPass Enterprise - Security policy changed or deleted': { actions: ['delete policy'] },
  'LastPass Enterprise - Vault data exported or printed': { actions: ['data export'] },
  'LastPass Enterprise - Mass deletion of vault items': { terms: [[ACCOUNT, victim]] },
  'LastPass Enterprise - Shared folder opened to a user outside the domain': {
    actions: ['add to shared folder'],
  },
};

const actionOf = (docs: IndexedDocument[], id: string): string => {
  const doc = docs.find((d) => d.id === id);
  return String(((doc?.source['event'] ?? {}) as Record<string, unknown>)['action']);
};

describe('detection rules on pipeline output (our replay of the detection engine, not Kibana)', () => {
  it('covers the issue: at least 8 rules, each with an expected attack outcome', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    expect([...byName.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('the quiet day is busy enough to matter (failed logins, deletions, shares, API polling)', () => {
    const actions = quietDocs.map((d) => (d.source['event'] as Record<string, unknown>)['action']);
    const count = (a: string): number => actions.filter((x) => x === a).length;
    expect(count('failed login attempt')).toBeGreaterThan(5);
    expect(count('site deleted')).toBeGreaterThan(5);
    expect(count('reporting')).toBe(144);
    expect(count('add to shared folder')).toBe(1);
  });

  it.each(Object.entries(EXPECTED))('%s: fires on the attack, silent on the quiet day', (name, expected) => {
    const spec = byName.get(name);
    if (!spec) throw new Error(`no rule named ${name}`);
    expect(run(spec, quietDocs)).toEqual([]);
    const alerts = run(spec, attackDocs);
    expect(alerts.length).toBeGreaterThan(0);
    if (expected.terms) expect(alerts.map((a) => a.terms)).toEqual(expected.terms);
    if (expected.actions)
      expect(alerts.map((a) => actionOf(attackDocs, a.documents[0] ?? ''))).toEqual(expected.actions);
  });

  it('threshold rules count the attack burst, not the quiet day around it', () => {
    const brute = run(byName.get('LastPass Enterprise - Brute force against one account')!, attackDocs);
    expect(brute[0]?.count).toBe(12);
    const spray = run(
      byName.get('LastPass Enterprise - Failed logins from one IP against several accounts')!,
      attackDocs,
    );
    expect(spray[0]?.count).toBe(15);
    const wipe = run(byName.get('LastPass Enterprise - Mass deletion of vault items')!, attackDocs);
    expect(wipe[0]?.count).toBe(25);
  });
});

describe('detection rules over the simulator tenant history (5,000 events, 9 months)', () => {
  const history = tenant.events.map((e) => ({ instant: e.instant, record: e.record }));
  const docs = toDocuments(history);
  const span = {
    start: Math.min(...history.map((e) => e.instant)) - 15 * M,
    end: Math.max(...history.map((e) => e.instant)) + H,
  };

  it('query rules alert exactly on the ground-truth events of their actions', () => {
    const counts: string[] = [];
    for (const spec of rules) {
      const alerts = runRule(spec, docs, span, typeOf);
      counts.push(`${alerts.length.toString().padStart(4)}  ${spec.name}`);
      if (spec.type !== 'query' || spec.query.includes('target_outside_actor_domain')) continue;
      const actions = spec.query.match(/"[^"]+"/g)?.map((q) => q.slice(1, -1)) ?? [];
      const truth = tenant.events.filter((e) =>
        actions.includes(e.record.Action.toLowerCase().replace(/\s+/g, ' ')),
      ).length;
      expect(alerts.length).toBe(truth);
    }
    process.stdout.write(
      `alerts over the simulator history (${history.length} events):\n${counts.join('\n')}\n`,
    );
  });
});
