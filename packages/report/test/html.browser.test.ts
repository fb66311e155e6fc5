/**
 * posture.html in a real browser (Debian's chromium, driven by playwright-core): the rendered text is
 * checked against posture.json, sorting by clicking a header is checked, the page makes no network
 * request, prints to PDF, and a screenshot is kept in packages/report/test-artifacts/ (git-ignored).
 * Skipped, with the reason printed, when chromium is not installed (`.ci/run` installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { runPostureReport, type PostureReport } from '../src';
import { collectTenant, defaultParameters, type CollectedTenant } from './tenant-fixture';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '..', 'test-artifacts');
const available = existsSync(CHROMIUM);
if (!available)
  console.log(
    `html.browser.test: skipped — no chromium at ${CHROMIUM} (install Debian's chromium, as .ci/run does, or set CHROMIUM_PATH)`,
  );
const maybe = available ? describe : describe.skip;
/** One attribute of every element a locator matches (no DOM types needed in this tsconfig). */
const attrs = async (locator: Locator, name: string): Promise<(string | null)[]> =>
  Promise.all((await locator.all()).map((l) => l.getAttribute(name)));

maybe('posture.html in headless chromium', () => {
  let tenant: CollectedTenant;
  let out: string;
  let report: PostureReport;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    tenant = await collectTenant({ events: 2_500 });
    out = mkdtempSync(join(tmpdir(), 'lpe-report-html-'));
    ({ report } = await runPostureReport({
      input: { kind: 'ndjson', inputDir: tenant.dir, stateDir: tenant.stateDir },
      parameters: { ...defaultParameters, from: '2024-08-01T00:00:00.000Z', to: '2024-11-15T00:00:00.000Z' },
      outDir: out,
      now: () => new Date('2025-01-01T00:00:00Z'),
    }));
    profile = mkdtempSync(join(tmpdir(), 'lpe-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`file://${join(out, 'posture.html')}`);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await tenant?.sim.close();
    if (tenant !== undefined) rmSync(tenant.dir, { recursive: true, force: true });
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('shows the account, the period and when the data was collected, as in posture.json', async () => {
    const a = report.accounts[0]!;
    const section = page.locator(`section[data-account="${a.account_number}"]`);
    expect(await section.count()).toBe(1);
    expect(await section.locator('h2').innerText()).toBe(`Account ${a.account_number}`);
    const times = await attrs(section.locator('dl.facts time'), 'datetime');
    expect(times).toEqual([
      a.period.from,
      a.period.to,
      a.collected.users_snapshot.started_at,
      a.collected.folders_snapshot.started_at,
      a.collected.events_through,
    ]);
    expect(await section.locator('dl.facts').innerText()).toContain(a.time_zone ?? 'unknown');
    for (const key of [
      'enabled_users',
      'admins',
      'pending_invitations',
      'shared_folders',
      'events_in_period',
    ] as const)
      expect(await section.locator(`[data-summary="${key}"]`).innerText()).toBe(String(a.summary[key]));
  });

  it('shows every finding with its count, its rule and one table row per item', async () => {
    const a = report.accounts[0]!;
    for (const f of a.findings) {
      const article = page.locator(`article[data-finding="${f.id}"]`);
      expect(await article.locator(`[data-count-of="${f.id}"]`).innerText()).toBe(String(f.count));
      expect(await article.locator('p.rule').innerText()).toBe(f.rule);
      const rows = article.locator('tbody tr');
      expect(await rows.count()).toBe(f.count);
      const first = await article.locator('tbody tr td:first-child').allTextContents();
      const firstTime = await attrs(article.locator('tbody tr td:first-child time'), 'datetime');
      const expected = f.items.map((i) =>
        'user_name' in i ? i.user_name : 'folder_name' in i ? i.folder_name : '',
      );
      if (f.subject === 'change') expect(firstTime).toEqual(f.items.map((i) => ('time' in i ? i.time : '')));
      else expect(first).toEqual(expected);
    }
    expect(problems).toEqual([]);
  });

  it('sorts a table by clicking its header (numbers and text, both directions)', async () => {
    const table = page.locator('article[data-finding="inactive_users"] table');
    const column = async (n: number): Promise<string[]> =>
      (await attrs(table.locator(`tbody tr td:nth-child(${n})`), 'data-sort')).map((v) => v ?? '');
    const header = (label: string) => table.locator('thead th', { hasText: label }).locator('button');
    const days = report.accounts[0]!.findings.find((f) => f.id === 'inactive_users')!.items.map((i) =>
      'days_since_last_login' in i ? (i.days_since_last_login ?? 0) : 0,
    );
    expect(days.length).toBeGreaterThan(1);
    await header('Days since login').click();
    expect((await column(7)).map(Number)).toEqual([...days].sort((x, y) => x - y));
    expect(await table.locator('thead th', { hasText: 'Days since login' }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await header('Days since login').click();
    expect((await column(7)).map(Number)).toEqual([...days].sort((x, y) => y - x));
    await header('User').click();
    const names = await column(1);
    expect(names).toEqual([...names].sort());
    expect(
      await table.locator('thead th', { hasText: 'Days since login' }).getAttribute('aria-sort'),
    ).toBeNull();
  });

  it('draws the charts and makes no network request; prints to PDF; keeps a screenshot', async () => {
    expect(await page.locator('figure.chart svg').count()).toBe(4);
    expect(requests).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'posture.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('th .arrow').first().isVisible()).toBe(false);
    const pdf = join(ARTIFACTS, 'posture.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    console.log(`html.browser.test: screenshot ${shot}, print ${pdf}`);
  });
});
