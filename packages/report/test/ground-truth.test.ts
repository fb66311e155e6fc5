/**
 * The report's counts against the simulator's ground truth: the expected numbers are derived here from
 * the tenant model (`sim.tenant`: the records the API serves), never from the report's own code. The data
 * goes the real way: simulator → collector → package pipelines → NDJSON + state → report. The same data
 * loaded into the fake Elasticsearch gives the same findings through the Elasticsearch reader.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { startFakeElasticsearch, type FakeElasticsearch } from '@lastpass-elastic/ingest';
import { AccountZone, type FolderMember, type SimUser } from '@lastpass-elastic/simulator';
import {
  postureReportSchema,
  runPostureReport,
  type AccountReport,
  type PostureInput,
  type PostureReport,
} from '../src';
import { collectTenant, DAY, defaultParameters, type CollectedTenant } from './tenant-fixture';

/**
 * Documents the package pipelines' on_failure handler writes (shapes copied from `lastpass-elastic pipeline` on
 * a user record that is not JSON and an event whose Time is a number): `event.kind: pipeline_error`, `@timestamp`
 * = the ingest time. They are not data: a report must not take them for the newest event or user.
 */
const PIPELINE_ERRORS = {
  user: {
    data_stream: { type: 'logs', dataset: 'lastpass_enterprise.user', namespace: 'default' },
    lastpass_enterprise: { snapshot: { id: '20301231T000000Z', started_at: '2030-12-31T00:00:00Z' } },
    event: { original: 'not json at all', kind: 'pipeline_error' },
    error: {
      message: ["Processor 'json' with tag 'json_parse_record' failed with message: Unrecognized token"],
    },
    '@timestamp': '2030-12-31T00:00:00.000Z',
    tags: ['preserve_original_event'],
  },
  event_report: {
    data_stream: { type: 'logs', dataset: 'lastpass_enterprise.event_report', namespace: 'default' },
    event: { id: 'pipeline-error-1', kind: 'pipeline_error', timezone: 'America/New_York' },
    organization: { id: '' },
    lastpass_enterprise: {
      event_report: { occurrence: 0, action: 'Make Admin', time: 12345, user_name: 'a@b.c' },
    },
    error: {
      message: [
        "Processor 'date' with tag 'date_timestamp' failed with message: unable to parse date [12345]",
      ],
    },
    '@timestamp': '2030-12-31T00:00:00.000Z',
    tags: ['preserve_original_event'],
  },
};
const withAccount = (doc: object, account: string): object =>
  'organization' in doc ? { ...doc, organization: { id: account } } : doc;

let tenant: CollectedTenant;
let report: PostureReport;
let account: AccountReport;
let out: string;
const from = '2024-08-01T00:00:00.000Z';
const to = '2024-11-15T00:00:00.000Z';

beforeAll(async () => {
  tenant = await collectTenant();
  out = mkdtempSync(join(tmpdir(), 'lpe-report-out-'));
  ({ report } = await runPostureReport({
    input: { kind: 'ndjson', inputDir: tenant.dir, stateDir: tenant.stateDir },
    parameters: { ...defaultParameters, from, to },
    outDir: out,
    now: () => new Date('2025-01-01T00:00:00Z'),
  }));
  account = report.accounts[0]!;
}, 60_000);

afterAll(async () => {
  await tenant.sim.close();
  rmSync(tenant.dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

const truthy = (v: number | boolean): boolean => v === true || v === 1;
const finding = (id: string) => {
  const f = account.findings.find((x) => x.id === id);
  if (f === undefined) throw new Error(`no finding ${id}`);
  return f;
};
const namesOf = (id: string): string[] =>
  finding(id).items.map((i) =>
    'user_name' in i ? i.user_name : 'folder_name' in i ? i.folder_id : (i.event_id ?? ''),
  );
const users = (list: SimUser[]): string[] => list.map((u) => u.record.username).sort();

describe('posture report against the simulator ground truth (NDJSON source)', () => {
  it('writes a schema-valid report for the one account, as of the second users snapshot', () => {
    expect(
      postureReportSchema.safeParse(JSON.parse(readFileSync(join(out, 'posture.json'), 'utf8'))).success,
    ).toBe(true);
    expect(report.accounts.map((a) => a.account_number)).toEqual([tenant.sim.options.accountNumber]);
    const asOf = Math.floor(tenant.secondAt / 1000) * 1000;
    expect(account.collected.as_of).toBe(new Date(asOf).toISOString());
    expect(account.collected.users_snapshot.selected_by).toBe('state');
    expect(account.collected.users_snapshot.documents).toBe(
      tenant.sim.tenant.users.length + tenant.sim.tenant.invited.length,
    );
    expect(account.time_zone).toBe(tenant.sim.options.timeZone);
    expect(account.period).toEqual({ from, to });
  });

  it('the provisioning hash is in neither output file', () => {
    const hash = tenant.sim.options.provisioningHash;
    expect(hash.length).toBeGreaterThan(8);
    for (const file of ['posture.json', 'posture.html'])
      expect([file, readFileSync(join(out, file), 'utf8').includes(hash)]).toEqual([file, false]);
  });

  it('user findings match the tenant model', () => {
    const t = tenant.sim.tenant;
    const zone = new AccountZone(tenant.sim.options.timeZone);
    const asOf = Date.parse(account.collected.as_of);
    const enabled = t.users.filter((u) => !u.record.disabled);
    const noMfa = (u: SimUser): boolean =>
      u.record.multifactor === undefined || u.record.multifactor === null || u.record.multifactor === '';
    const live = t.sharedFolders.filter((f) => f.deleted !== true);
    const inFolder = (u: SimUser): boolean =>
      live.some((f) => f.users.some((m) => m.username === u.record.username));

    expect(account.summary.users).toBe(t.users.length);
    expect(account.summary.enabled_users).toBe(enabled.length);
    expect(namesOf('never_logged_in')).toEqual(users(enabled.filter((u) => u.record.neverloggedin)));
    const inactive = enabled.filter((u) => {
      if (u.record.last_login === '') return false;
      const at = zone.parse(u.record.last_login, 'earlier');
      return at !== undefined && asOf - at > 90 * DAY;
    });
    expect(namesOf('inactive_users')).toEqual(users(inactive));
    expect(inactive.length).toBeGreaterThan(0);
    expect(namesOf('no_mfa')).toEqual(users(enabled.filter(noMfa)));
    expect(namesOf('weak_master_password')).toEqual(
      users(enabled.filter((u) => !u.record.neverloggedin && Number(u.record.mpstrength) < 50)),
    );
    expect(namesOf('password_reset_required')).toEqual(
      users(enabled.filter((u) => u.record.password_reset_required)),
    );
    expect(namesOf('admins')).toEqual(users(enabled.filter((u) => u.record.admin)));
    expect(namesOf('admins_without_mfa')).toEqual(users(enabled.filter((u) => u.record.admin && noMfa(u))));
    const disabledIn = t.users.filter((u) => u.record.disabled && inFolder(u));
    expect(namesOf('disabled_in_shared_folders')).toEqual(users(disabledIn));
    expect(disabledIn.length).toBeGreaterThan(0);
    for (const f of account.findings) expect(f.count).toBe(f.items.length);
  });

  it('invitations pending since the first snapshot (20 days) are older than 14 days', () => {
    const f = finding('pending_invitations');
    expect(namesOf('pending_invitations').sort()).toEqual([...tenant.sim.tenant.invited].sort());
    for (const i of f.items)
      if ('age_days' in i) {
        expect(i.since_basis).toBe('first_snapshot');
        expect(i.invited_since).toBe(new Date(Math.floor(tenant.firstAt / 1000) * 1000).toISOString());
        expect(i.age_days).toBe(20);
      }
  });

  it('shared-folder findings match the tenant model', () => {
    const t = tenant.sim.tenant;
    const live = t.sharedFolders.filter((f) => f.deleted !== true);
    const ids = (list: typeof live): string[] => list.map((f) => f.id).sort();
    const sorted = (id: string): string[] => [...namesOf(id)].sort();
    const admins = (m: FolderMember[]): number => m.filter((x) => truthy(x.can_administer)).length;
    expect(account.summary.shared_folders).toBe(t.sharedFolders.length);
    expect(sorted('folders_many_admins')).toEqual(ids(live.filter((f) => admins(f.users) > 2)));
    // give = !hide_passwords (lastpass-api.md §4.4): a member with give set sees the passwords.
    expect(sorted('folders_passwords_visible')).toEqual(
      ids(live.filter((f) => f.users.some((m) => truthy(m.give)))),
    );
    expect(sorted('deleted_folders')).toEqual(ids(t.sharedFolders.filter((f) => f.deleted === true)));
    // Every member of the simulated tenant is @example.com: none is outside the (derived) company domain.
    expect(account.company_domains).toEqual({ domains: ['example.com'], basis: 'most_common_user_domain' });
    expect(finding('folders_external_members').count).toBe(0);
    const members = t.sharedFolders.reduce((n, f) => n + f.users.length, 0);
    expect(account.summary.folder_memberships).toBe(members);
  });

  it('admin, policy and setting changes of the period match the tenant events (who, what, when)', () => {
    const inPeriod = tenant.sim.tenant.events.filter(
      (e) => e.instant >= Date.parse(from) && e.instant <= Date.parse(to),
    );
    const of = (actions: string[]) =>
      inPeriod
        .filter((e) => actions.includes(e.record.Action.toLowerCase()))
        .map((e) => `${new Date(e.instant).toISOString()} ${e.record.Username} ${e.record.Action}`)
        .sort();
    const listed = (id: string): string[] =>
      finding(id)
        .items.map((i) => ('action' in i ? `${i.time} ${i.actor ?? ''} ${i.action}` : ''))
        .sort();
    expect(listed('admin_role_changes')).toEqual(of(['make admin', 'remove admin']));
    expect(listed('policy_changes')).toEqual(
      of(['add policy', 'edit policy', 'delete policy', 'update policy users']),
    );
    // lastpass-api.md §11.1, "Policies and account settings": configuration creation/change/deletion actions.
    const settings = [
      'add global equiv domain',
      'remove global equiv domain',
      'add global never urls',
      'remove global never urls',
      'add global only urls',
      'enterprise api secret regenerated',
      'provisioning service added',
      'provisioning service removed',
      'provisioning credential changed',
      'scim provisioning hash updated',
    ];
    expect(listed('account_setting_changes')).toEqual(of(settings));
    expect(finding('admin_role_changes').count + finding('policy_changes').count).toBeGreaterThan(0);
  });

  it('counts the events of the period per UTC day', () => {
    const inPeriod = tenant.sim.tenant.events.filter(
      (e) => e.instant >= Date.parse(from) && e.instant <= Date.parse(to),
    );
    expect(account.summary.events_in_period).toBe(inPeriod.length);
    const perDay = new Map<string, number>();
    for (const e of inPeriod) {
      const d = new Date(e.instant).toISOString().slice(0, 10);
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
    for (const d of account.coverage.events_per_day) expect(d.events).toBe(perDay.get(d.date) ?? 0);
    expect(account.coverage.events_per_day[0]?.date).toBe('2024-08-01');
    expect(account.coverage.events_per_day.at(-1)?.date).toBe('2024-11-15');
  });

  it('coverage comes from the state files: last success per stream, cursor, no dead letters', () => {
    const c = account.coverage;
    expect(c.basis).toBe('state_files');
    expect(c.streams.map((s) => s.stream)).toEqual(['user', 'detailed_shared_folder', 'event_report']);
    for (const s of c.streams) {
      expect(s.last_success).toBe(new Date(Math.floor(tenant.secondAt / 1000) * 1000).toISOString());
      expect(s.dead_letters).toBe(0);
      expect(s.last_error).toBeNull();
    }
    // The history ends at 2024-11-15: the second collection's cursor is past the period, which is covered.
    expect(c.gaps.filter((g) => g.kind === 'not_collected')).toEqual([]);
  });

  it('a configured company domain marks every member of another domain as external', async () => {
    const again = mkdtempSync(join(tmpdir(), 'lpe-report-out-'));
    try {
      const { report: r } = await runPostureReport({
        input: { kind: 'ndjson', inputDir: tenant.dir, stateDir: tenant.stateDir },
        parameters: { ...defaultParameters, from, to, company_domains: ['Example.ORG'] },
        outDir: again,
        now: () => new Date('2025-01-01T00:00:00Z'),
      });
      const f = r.accounts[0]!.findings.find((x) => x.id === 'folders_external_members')!;
      const expected = tenant.sim.tenant.sharedFolders.filter(
        (x) => x.deleted !== true && x.users.length > 0,
      );
      expect(f.items.map((i) => ('folder_id' in i ? i.folder_id : '')).sort()).toEqual(
        expected.map((x) => x.id).sort(),
      );
      expect(f.parameters['company_domains']).toEqual(['example.org']);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('pipeline_error documents are not data', () => {
  it('NDJSON without state: they change neither the period nor any count; they are counted as skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpe-report-errors-'));
    try {
      const run = async (inputDir: string) =>
        (
          await runPostureReport({
            input: { kind: 'ndjson', inputDir, stateDir: null },
            parameters: defaultParameters,
            outDir: join(dir, 'out'),
            now: () => new Date('2025-01-01T00:00:00Z'),
          })
        ).report.accounts[0]!;
      const clean = await run(tenant.dir);
      const account = tenant.sim.options.accountNumber;
      for (const stream of ['user', 'detailed_shared_folder', 'event_report'] as const) {
        const name = `lastpass_enterprise.${stream}-default.ndjson`;
        const lines = readFileSync(join(tenant.dir, name), 'utf8');
        const extra =
          stream === 'detailed_shared_folder'
            ? ''
            : `${JSON.stringify(withAccount(PIPELINE_ERRORS[stream], account))}\n`;
        writeFileSync(join(dir, name), lines + extra);
      }
      const dirty = await run(dir);
      expect(Date.parse(dirty.period.to)).toBeLessThanOrEqual(tenant.secondAt);
      expect(dirty.period).toEqual(clean.period);
      expect(dirty.summary).toEqual(clean.summary);
      expect(dirty.findings).toEqual(clean.findings);
      expect(dirty.coverage.events_per_day).toEqual(clean.coverage.events_per_day);
      const notes = dirty.coverage.streams.find((x) => x.stream === 'event_report')?.notes;
      expect(notes?.['report_skipped_lines']).toMatch(/^2 NDJSON line\(s\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the Elasticsearch reader gives the same findings (fake Elasticsearch)', () => {
  let es: FakeElasticsearch;
  beforeAll(async () => {
    es = await startFakeElasticsearch({ port: 0 });
    const client = new Client({ node: es.url });
    try {
      for (const stream of ['user', 'detailed_shared_folder', 'event_report']) {
        const docs = readFileSync(join(tenant.dir, `lastpass_enterprise.${stream}-default.ndjson`), 'utf8')
          .trim()
          .split('\n');
        // The documented loading recipe: final documents, no pipeline, ids kept.
        const body = docs.flatMap((line) => {
          const doc = JSON.parse(line) as { event: { id: string } };
          return [
            { create: { _index: `logs-lastpass_enterprise.${stream}-default`, _id: doc.event.id } },
            doc,
          ];
        });
        const answer = await client.bulk({ operations: body, pipeline: '_none', refresh: true });
        expect(answer.errors).toBe(false);
      }
      // Newer than every real document: the reader must look past them (accounts, snapshots, period).
      const errors = await client.bulk({
        operations: (['user', 'event_report'] as const).flatMap((stream) => [
          { create: { _index: `logs-lastpass_enterprise.${stream}-default` } },
          withAccount(PIPELINE_ERRORS[stream], tenant.sim.options.accountNumber),
        ]),
        pipeline: '_none',
        refresh: true,
      });
      expect(errors.errors).toBe(false);
    } finally {
      await client.close();
    }
  }, 60_000);
  afterAll(async () => {
    await es.close();
  });
  /** The data streams of the fake Elasticsearch, as `report posture --source elasticsearch` reads them at `now`. */
  const esInput = (client: Client, now: number): PostureInput => ({
    kind: 'elasticsearch',
    client,
    url: es.url,
    usersIndex: 'logs-lastpass_enterprise.user-*',
    foldersIndex: 'logs-lastpass_enterprise.detailed_shared_folder-*',
    eventsIndex: 'logs-lastpass_enterprise.event_report-*',
    snapshotSettle: '5m',
    snapshotSettleMs: 300_000,
    now: () => now,
  });

  it('reads the newest settled snapshots and the period and reports what the NDJSON reader reports', async () => {
    const client = new Client({ node: es.url });
    const dir = mkdtempSync(join(tmpdir(), 'lpe-report-es-'));
    try {
      const { report: r } = await runPostureReport({
        input: esInput(client, tenant.secondAt + DAY),
        parameters: { ...defaultParameters, from, to },
        outDir: dir,
        now: () => new Date('2025-01-01T00:00:00Z'),
      });
      const a = r.accounts[0]!;
      expect(r.source.kind).toBe('elasticsearch');
      expect(a.findings).toEqual(account.findings);
      expect(a.summary).toEqual(account.summary);
      expect(a.coverage.events_per_day).toEqual(account.coverage.events_per_day);
      expect(a.collected.users_snapshot).toEqual({
        ...account.collected.users_snapshot,
        selected_by: 'settled',
      });
      expect(a.coverage.basis).toBe('data');
      // Without state files the invitation age still comes from the first snapshot in the data stream.
      expect(a.findings.find((f) => f.id === 'pending_invitations')?.count).toBe(
        tenant.sim.tenant.invited.length,
      );
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('with the default period, ends it at the newest real event (not at a pipeline_error document)', async () => {
    const client = new Client({ node: es.url });
    const dir = mkdtempSync(join(tmpdir(), 'lpe-report-es-'));
    try {
      const read = async (input: PostureInput) =>
        (
          await runPostureReport({
            input,
            parameters: defaultParameters,
            outDir: dir,
            now: () => new Date('2025-01-01T00:00:00Z'),
          })
        ).report.accounts;
      const fromEs = await read(esInput(client, tenant.secondAt + DAY));
      // The NDJSON files without state: the same rule (period ends at the newest event), no error document.
      const fromFiles = await read({ kind: 'ndjson', inputDir: tenant.dir, stateDir: null });
      expect(fromEs.map((a) => a.account_number)).toEqual([tenant.sim.options.accountNumber]);
      expect(fromEs[0]?.period).toEqual(fromFiles[0]?.period);
      expect(fromEs[0]?.summary.events_in_period).toBe(fromFiles[0]?.summary.events_in_period);
      expect(fromEs[0]?.findings).toEqual(fromFiles[0]?.findings);
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes the previous snapshot while the newest one is still receiving documents', async () => {
    const client = new Client({ node: es.url });
    const dir = mkdtempSync(join(tmpdir(), 'lpe-report-es-'));
    try {
      const { report: r } = await runPostureReport({
        // One minute after the second snapshot's documents were ingested (virtual clock).
        input: esInput(client, tenant.secondAt + 60_000),
        parameters: { ...defaultParameters, from, to },
        outDir: dir,
        now: () => new Date('2025-01-01T00:00:00Z'),
      });
      const snap = r.accounts[0]!.collected.users_snapshot;
      expect(snap.started_at).toBe(new Date(Math.floor(tenant.firstAt / 1000) * 1000).toISOString());
      expect(snap.selected_by).toBe('settled');
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
