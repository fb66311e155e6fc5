/**
 * `posture.html`: the report as one self-contained page — inline CSS, inline SVG charts and a small inline
 * script that sorts tables; no network at all (a Content-Security-Policy forbids it). Printable: the print
 * stylesheet starts each account on a new page and keeps rows and charts whole. Pure: report in, text out.
 */
import type { AccountReport, Finding, PostureReport } from './schema';

const esc = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const formatters = new Map<string, Intl.DateTimeFormat>();
/** `2024-04-18 04:03 EDT` in the account's zone (UTC when unknown); the exact instant stays in `datetime`. */
function localTime(iso: string, zone: string | null, withTime = true): string {
  const key = `${zone ?? 'UTC'}|${String(withTime)}`;
  let f = formatters.get(key);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone ?? 'UTC',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' } : {}),
      });
    } catch {
      f = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', dateStyle: 'short', timeStyle: 'short' });
    }
    formatters.set(key, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const date = `${parts['year'] ?? ''}-${parts['month'] ?? ''}-${parts['day'] ?? ''}`;
  return withTime
    ? `${date} ${parts['hour'] ?? ''}:${parts['minute'] ?? ''} ${parts['timeZoneName'] ?? ''}`.trim()
    : date;
}
const time = (iso: string | null, zone: string | null, withTime = true): string =>
  iso === null
    ? '<span class="muted">—</span>'
    : `<time datetime="${esc(iso)}">${esc(localTime(iso, zone, withTime))}</time>`;

interface Column<T> {
  label: string;
  type: 'text' | 'number' | 'date';
  /** Cell HTML and the value it sorts by. */
  cell(item: T): { html: string; sort: string };
}
const text = <T>(label: string, get: (i: T) => string | null): Column<T> => ({
  label,
  type: 'text',
  cell: (i) => {
    const v = get(i);
    return v === null ? { html: '<span class="muted">—</span>', sort: '' } : { html: esc(v), sort: v };
  },
});
const num = <T>(label: string, get: (i: T) => number | null): Column<T> => ({
  label,
  type: 'number',
  cell: (i) => {
    const v = get(i);
    return v === null
      ? { html: '<span class="muted">—</span>', sort: '' }
      : { html: String(v), sort: String(v) };
  },
});
const date = <T>(label: string, get: (i: T) => string | null, zone: string | null): Column<T> => ({
  label,
  type: 'date',
  cell: (i) => ({ html: time(get(i), zone), sort: get(i) ?? '' }),
});
const names = (list: readonly string[]): string | null => (list.length === 0 ? null : list.join(', '));
const yes = (b: boolean): string => (b ? 'yes' : 'no');

function table<T>(id: string, columns: Column<T>[], items: readonly T[]): string {
  const head = columns
    .map(
      (c) =>
        `<th scope="col" data-type="${c.type}"><button type="button">${esc(c.label)}<span class="arrow" aria-hidden="true"></span></button></th>`,
    )
    .join('');
  const rows = items
    .map(
      (item) =>
        `<tr>${columns
          .map((c) => {
            const { html, sort } = c.cell(item);
            return `<td data-sort="${esc(sort)}"${c.type === 'number' ? ' class="num"' : ''}>${html}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table class="sortable" data-table="${esc(id)}"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

function findingTable(f: Finding, zone: string | null): string {
  const id = f.id;
  switch (f.subject) {
    case 'user': {
      const cols: Column<(typeof f.items)[number]>[] = [
        text('User', (u) => u.user_name),
        text('Full name', (u) => u.full_name),
        text('Admin', (u) => yes(u.admin)),
        text('MFA', (u) => u.multifactor),
        num('Password strength', (u) => u.master_password_strength),
        date('Last login', (u) => u.last_login, zone),
        num('Days since login', (u) => u.days_since_last_login),
      ];
      if (id === 'disabled_in_shared_folders')
        cols.push(text('Shared folders', (u) => names(u.shared_folders)));
      return table(id, cols, f.items);
    }
    case 'invitation':
      return table<(typeof f.items)[number]>(
        id,
        [
          text('Invitee', (i) => i.user_name),
          date('Invited since', (i) => i.invited_since, zone),
          text('Evidence', (i) =>
            i.since_basis === 'event_report' ? 'Employee Invited event' : 'first users snapshot',
          ),
          num('Age (days)', (i) => i.age_days),
        ],
        f.items,
      );
    case 'folder':
      return table<(typeof f.items)[number]>(
        id,
        [
          text('Shared folder', (x) => x.folder_name),
          text('ID', (x) => x.folder_id),
          num('Members', (x) => x.members),
          num('Admins', (x) => x.admins.length),
          text('Administered by', (x) => names(x.admins)),
          num('See passwords', (x) => x.passwords_visible_to.length),
          text('External members', (x) => names(x.external_members)),
          num('Score', (x) => x.score),
        ],
        f.items,
      );
    case 'change':
      return table<(typeof f.items)[number]>(
        id,
        [
          date('When', (c) => c.time, zone),
          text('Who', (c) => c.actor),
          text('Action', (c) => c.action),
          text('Target', (c) => names(c.targets)),
          text('What', (c) => c.detail),
          text('Source IP', (c) => c.source_ip),
        ],
        f.items,
      );
  }
}

// ---- charts (inline SVG) ----

const PALETTE = ['#0b64dd', '#00a69b', '#f5a700', '#8a5cf6', '#e85d9c', '#5e7a99', '#1ea593'];
const RED = '#c4312a';

function barChart(account: AccountReport): string {
  const enabled = Math.max(account.summary.enabled_users, 1);
  const rows: [string, number, number][] = [];
  const count = (id: Finding['id']): number => account.findings.find((f) => f.id === id)?.count ?? 0;
  rows.push(['No MFA', count('no_mfa'), enabled]);
  rows.push(['Weak master password', count('weak_master_password'), enabled]);
  rows.push(['Inactive', count('inactive_users'), enabled]);
  rows.push(['Never logged in', count('never_logged_in'), enabled]);
  rows.push(['Password change required', count('password_reset_required'), enabled]);
  rows.push(['Admins without MFA', count('admins_without_mfa'), Math.max(account.summary.admins, 1)]);
  const width = 400;
  const label = 150;
  const bar = width - label - 92;
  const h = 24;
  const body = rows
    .map(([name, n, of], i) => {
      const share = n / of;
      const y = i * h + 6;
      const w = Math.max(share * bar, n > 0 ? 2 : 0);
      return `<g><text x="0" y="${y + 13}" class="lbl">${esc(name)}</text><rect x="${label}" y="${y + 2}" width="${bar}" height="14" rx="3" class="track"/><rect x="${label}" y="${y + 2}" width="${w.toFixed(1)}" height="14" rx="3" fill="${share >= 0.25 ? RED : share > 0 ? '#f5a700' : '#00a69b'}"/><text x="${label + bar + 8}" y="${y + 13}" class="val">${n} of ${of} (${Math.round(share * 100)}%)</text></g>`;
    })
    .join('');
  return `<svg role="img" aria-label="Share of enabled users per hygiene finding" viewBox="0 0 ${width} ${rows.length * h + 8}" width="100%">${body}</svg>`;
}

function donut(account: AccountReport): string {
  const entries = Object.entries(account.summary.mfa_methods).sort((a, b) =>
    a[0] === 'none' ? -1 : b[0] === 'none' ? 1 : b[1] - a[1],
  );
  const total = entries.reduce((n, [, v]) => n + v, 0);
  const r = 52;
  const c = 2 * Math.PI * r;
  let offset = 0;
  let colour = 0;
  const arcs = entries.map(([name, v]) => {
    const len = total === 0 ? 0 : (v / total) * c;
    const fill = name === 'none' ? RED : (PALETTE[colour++ % PALETTE.length] ?? '#0b64dd');
    const arc = `<circle cx="70" cy="70" r="${r}" fill="none" stroke="${fill}" stroke-width="22" stroke-dasharray="${len.toFixed(2)} ${(c - len).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}" transform="rotate(-90 70 70)"><title>${esc(name)}: ${v}</title></circle>`;
    offset += len;
    return {
      arc,
      legend: `<li><span class="swatch" style="background:${fill}"></span>${esc(name === 'none' ? 'none reported' : name)} <b>${v}</b></li>`,
    };
  });
  const withMfa = total - (account.summary.mfa_methods['none'] ?? 0);
  return `<div class="donut"><svg role="img" aria-label="Enabled users by MFA method" viewBox="0 0 140 140" width="140" height="140"><circle cx="70" cy="70" r="${r}" fill="none" stroke="#e6e9ef" stroke-width="22"/>${arcs.map((a) => a.arc).join('')}<text x="70" y="68" text-anchor="middle" class="big">${total === 0 ? '—' : `${Math.round((withMfa / total) * 100)}%`}</text><text x="70" y="86" text-anchor="middle" class="lbl">with MFA</text></svg><ul class="legend">${arcs.map((a) => a.legend).join('')}</ul></div>`;
}

function histogram(account: AccountReport, threshold: number): string {
  const buckets = account.summary.master_password_strength;
  const max = Math.max(1, ...buckets.map((b) => b.users));
  const w = 300;
  const h = 120;
  const bw = w / buckets.length;
  const bars = buckets
    .map((b, i) => {
      const bh = (b.users / max) * (h - 30);
      const x = i * bw + 8;
      const weak = b.to <= threshold;
      return `<g><rect x="${x.toFixed(1)}" y="${(h - 18 - bh).toFixed(1)}" width="${(bw - 16).toFixed(1)}" height="${bh.toFixed(1)}" rx="2" fill="${weak ? RED : b.from < threshold ? '#f5a700' : '#00a69b'}"><title>${b.from}–${b.to}: ${b.users}</title></rect><text x="${(x + (bw - 16) / 2).toFixed(1)}" y="${(h - 22 - bh).toFixed(1)}" text-anchor="middle" class="val">${b.users}</text><text x="${(x + (bw - 16) / 2).toFixed(1)}" y="${h - 4}" text-anchor="middle" class="lbl">${b.from}–${b.to}</text></g>`;
    })
    .join('');
  return `<svg role="img" aria-label="Enabled users by master-password strength" viewBox="0 0 ${w} ${h}" width="100%">${bars}</svg>`;
}

function eventsChart(account: AccountReport): string {
  const days = account.coverage.events_per_day;
  // Red only for the days a no_events gap covers (a day cut short by the period may just be quiet).
  const gapDays = new Set<string>();
  for (const g of account.coverage.gaps)
    if (g.kind === 'no_events' && g.from !== null && g.to !== null)
      for (let t = Date.parse(g.from.slice(0, 10)); t <= Date.parse(g.to); t += 86_400_000)
        gapDays.add(new Date(t).toISOString().slice(0, 10));
  const max = Math.max(1, ...days.map((d) => d.events));
  const w = 920;
  const h = 150;
  const left = 44;
  const plot = w - left - 8;
  const bw = days.length === 0 ? 0 : plot / days.length;
  const bars = days
    .map((d, i) => {
      const x = left + i * bw;
      if (gapDays.has(d.date))
        return `<rect x="${x.toFixed(1)}" y="${h - 26}" width="${Math.max(bw - 1, 1).toFixed(1)}" height="6" fill="${RED}"><title>${d.date}: no events (gap)</title></rect>`;
      const bh = (d.events / max) * (h - 44);
      return `<rect x="${x.toFixed(1)}" y="${(h - 20 - bh).toFixed(1)}" width="${Math.max(bw - 1, 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="#0b64dd"><title>${d.date}: ${d.events}</title></rect>`;
    })
    .join('');
  const ticks = days.length === 0 ? [] : [0, Math.floor((days.length - 1) / 2), days.length - 1];
  const anchorOf = (i: number): string => (i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle');
  const xOf = (i: number): number =>
    i === 0 ? left : i === days.length - 1 ? left + plot : left + i * bw + bw / 2;
  const labels = [...new Set(ticks)]
    .map(
      (i) =>
        `<text x="${xOf(i).toFixed(1)}" y="${h - 4}" text-anchor="${anchorOf(i)}" class="lbl">${esc(days[i]?.date ?? '')}</text>`,
    )
    .join('');
  return `<svg role="img" aria-label="Events per day" viewBox="0 0 ${w} ${h}" width="100%"><line x1="${left}" y1="${h - 20}" x2="${w - 8}" y2="${h - 20}" class="axis"/><text x="${left - 6}" y="28" text-anchor="end" class="lbl">${max}</text><text x="${left - 6}" y="${h - 20}" text-anchor="end" class="lbl">0</text>${bars}${labels}</svg>`;
}

// ---- page ----

function account(a: AccountReport, report: PostureReport): string {
  const zone = a.time_zone;
  const anchor = `account-${a.account_number}`;
  const fact = (label: string, value: string): string => `<div><dt>${esc(label)}</dt><dd>${value}</dd></div>`;
  const tile = (key: string, value: number, label: string): string =>
    `<div class="tile"><span class="tile-value" data-summary="${key}">${value}</span><span class="tile-label">${esc(label)}</span></div>`;
  const s = a.summary;
  const overview = table(
    `${a.account_number}-overview`,
    [
      {
        label: 'Finding',
        type: 'text',
        cell: (f: Finding) => ({ html: `<a href="#${anchor}-${f.id}">${esc(f.title)}</a>`, sort: f.title }),
      },
      {
        label: 'Severity',
        type: 'number',
        cell: (f: Finding) => ({
          html: `<span class="badge sev-${f.severity}">${f.severity}</span>`,
          sort: String(['info', 'low', 'medium', 'high'].indexOf(f.severity)),
        }),
      },
      num('Count', (f: Finding) => f.count),
    ],
    a.findings,
  );
  const findings = a.findings
    .map(
      (
        f,
      ) => `<article class="finding sev-${f.severity}${f.count === 0 ? ' clean' : ''}" id="${anchor}-${f.id}" data-finding="${f.id}" data-count="${f.count}">
<header><h4>${esc(f.title)}</h4><span class="badge sev-${f.severity}">${f.severity}</span><span class="count" data-count-of="${f.id}">${f.count}</span></header>
<p class="rule">${esc(f.rule)}</p>
${f.count === 0 ? '<p class="none">None found.</p>' : findingTable(f, zone)}
</article>`,
    )
    .join('\n');
  const c = a.coverage;
  const streams = table(
    `${a.account_number}-coverage`,
    [
      text('Stream', (x: (typeof c.streams)[number]) => x.stream),
      date('Last successful sync', (x: (typeof c.streams)[number]) => x.last_success, zone),
      date('Collected up to / snapshot', (x: (typeof c.streams)[number]) => x.cursor, zone),
      num('Dead letters', (x: (typeof c.streams)[number]) => x.dead_letters),
      text('Last error', (x: (typeof c.streams)[number]) => x.last_error),
      text('Notes', (x: (typeof c.streams)[number]) =>
        names(Object.entries(x.notes).map(([k, v]) => `${k}: ${v}`)),
      ),
    ],
    c.streams,
  );
  const gaps =
    c.gaps.length === 0
      ? '<p class="none ok">No gaps: every day of the period has events, the period is collected, the snapshots are current.</p>'
      : `<ul class="gaps">${c.gaps
          .map(
            (g) =>
              `<li data-gap="${g.kind}"><span class="badge gap">${esc(g.kind.replace(/_/g, ' '))}</span> <b>${esc(g.stream)}</b> ${g.from === null ? '' : `${time(g.from, zone)} – ${g.to === null ? 'now' : time(g.to, zone)}: `}${esc(g.detail)}</li>`,
          )
          .join('')}</ul>`;
  const flagged = a.findings.filter(
    (f) => f.count > 0 && (f.severity === 'high' || f.severity === 'medium'),
  ).length;
  return `<section class="account" id="${anchor}" data-account="${esc(a.account_number)}">
<h2>Account <span class="acct">${esc(a.account_number)}</span></h2>
<dl class="facts">
${fact('Period', `${time(a.period.from, zone)} – ${time(a.period.to, zone)}`)}
${fact('Users snapshot', `${time(a.collected.users_snapshot.started_at, zone)} <span class="muted">(${esc(a.collected.users_snapshot.id)}, ${a.collected.users_snapshot.selected_by})</span>`)}
${fact('Shared-folder snapshot', `${time(a.collected.folders_snapshot.started_at, zone)} <span class="muted">(${esc(a.collected.folders_snapshot.id)}, ${a.collected.folders_snapshot.selected_by})</span>`)}
${fact('Events collected through', time(a.collected.events_through, zone))}
${fact('Account time zone', esc(zone ?? 'unknown') + (c.time_zone_check === null ? '' : ` <span class="muted">(self-check: ${esc(c.time_zone_check)})</span>`))}
${fact('Company domains', `${esc(a.company_domains.domains.join(', ') || 'none')} <span class="muted">(${a.company_domains.basis === 'configured' ? 'configured' : 'most common user domain'})</span>`)}
</dl>
<div class="tiles">
${tile('enabled_users', s.enabled_users, 'Enabled users')}
${tile('admins', s.admins, 'Admins')}
${tile('pending_invitations', s.pending_invitations, 'Pending invitations')}
${tile('shared_folders', s.shared_folders, 'Shared folders')}
${tile('events_in_period', s.events_in_period, 'Events in period')}
<div class="tile alert"><span class="tile-value" data-summary="flagged_findings">${flagged}</span><span class="tile-label">High/medium findings with items</span></div>
</div>
<div class="charts">
<figure class="chart"><figcaption>Account hygiene — share of enabled users</figcaption>${barChart(a)}</figure>
<figure class="chart"><figcaption>Multifactor authentication</figcaption>${donut(a)}</figure>
<figure class="chart"><figcaption>Master-password strength (users who logged in)</figcaption>${histogram(a, report.parameters.weak_password_below)}</figure>
<figure class="chart wide"><figcaption>Events per day (UTC) — red marks days without any event</figcaption>${eventsChart(a)}</figure>
</div>
<h3>Findings</h3>
${overview}
${findings}
<h3>Collector coverage</h3>
${streams}
${gaps}
</section>`;
}

const CSS = `
:root{--ink:#1a1f2b;--muted:#5f6b7d;--line:#dfe3ea;--bg:#f5f7fa;--card:#fff;--accent:#0b64dd;--high:#c4312a;--medium:#c77700;--low:#5e7a99;--info:#00857a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;color:var(--ink);background:var(--bg)}
.masthead{background:linear-gradient(120deg,#101d33,#153a6b);color:#fff;padding:28px 40px 22px}
.masthead .brand{font-size:12px;letter-spacing:.14em;text-transform:uppercase;opacity:.75}
.masthead h1{margin:4px 0 10px;font-size:26px;font-weight:650}
.masthead dl{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0;font-size:13px}
.masthead dt{opacity:.7;display:inline}.masthead dd{display:inline;margin:0 0 0 6px}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
nav.toc{margin-bottom:18px}nav.toc a{margin-right:14px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.account{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:24px 28px;margin-bottom:28px;box-shadow:0 1px 2px rgba(16,29,51,.05)}
.account h2{margin:0 0 14px;font-size:21px}.acct{font-variant-numeric:tabular-nums}
.account h3{margin:30px 0 12px;font-size:16px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);border-bottom:1px solid var(--line);padding-bottom:6px}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:8px 24px;margin:0 0 18px}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}.facts dd{margin:2px 0 0}
.muted{color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:18px}
.tile{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fbfcfe}
.tile.alert{border-color:#f0c9c6;background:#fdf5f4}
.tile-value{display:block;font-size:26px;font-weight:650;font-variant-numeric:tabular-nums}
.tile-label{font-size:12px;color:var(--muted)}
.charts{display:grid;grid-template-columns:1.35fr 1fr 1fr;gap:14px}
.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fff}
.chart.wide{grid-column:1/-1}
.chart figcaption{font-size:12px;font-weight:600;color:var(--muted);margin-bottom:8px}
svg text{font-family:inherit}svg .lbl{font-size:11px;fill:#5f6b7d}svg .val{font-size:11px;fill:#1a1f2b}svg .big{font-size:22px;font-weight:650;fill:#1a1f2b}
svg .track{fill:#eef1f5}svg .axis{stroke:#c9d0da}
.donut{display:flex;align-items:center;gap:14px}.legend{list-style:none;margin:0;padding:0;font-size:12px}.legend li{margin:3px 0}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.finding{border:1px solid var(--line);border-left:4px solid var(--low);border-radius:8px;padding:12px 16px;margin:14px 0}
.finding.sev-high{border-left-color:var(--high)}.finding.sev-medium{border-left-color:var(--medium)}.finding.sev-info{border-left-color:var(--info)}
.finding.clean{border-left-color:#9fd8c9}
.finding header{display:flex;align-items:center;gap:10px}.finding h4{margin:0;font-size:15px;flex:1}
.count{font-size:18px;font-weight:700;font-variant-numeric:tabular-nums;min-width:2.2em;text-align:right}
.rule{margin:4px 0 10px;color:var(--muted);font-size:13px}
.none{margin:4px 0;color:var(--muted);font-style:italic}.none.ok{color:#00705f}
.badge{display:inline-block;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;padding:2px 8px;border-radius:10px;background:#eef1f5;color:var(--low)}
.badge.sev-high{background:#fbe7e5;color:var(--high)}.badge.sev-medium{background:#fdf0dc;color:var(--medium)}.badge.sev-info{background:#e0f4f1;color:var(--info)}
.badge.gap{background:#fdf0dc;color:var(--medium)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#f3f5f9;position:sticky;top:0}
th button{all:unset;cursor:pointer;font-weight:600;font-size:12px;color:#334055;white-space:nowrap}
th button:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
th .arrow::after{content:"\\2195";opacity:.35;margin-left:4px}
th[aria-sort=ascending] .arrow::after{content:"\\25B2";opacity:.9}th[aria-sort=descending] .arrow::after{content:"\\25BC";opacity:.9}
tbody tr:nth-child(even){background:#fafbfd}tbody tr:hover{background:#eef4fd}
.gaps{margin:10px 0 0;padding-left:18px}.gaps li{margin:4px 0}
footer{max-width:1180px;margin:0 auto;padding:0 28px 40px;color:var(--muted);font-size:12px}
@media (max-width:900px){.charts{grid-template-columns:1fr}}
@page{size:A4;margin:12mm}
@media print{
 body{background:#fff;font-size:10.5pt}
 .masthead{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink);padding:0 0 10px}
 main{padding:0;max-width:none}nav.toc{display:none}
 .account{border:none;box-shadow:none;padding:0;break-before:page}.account:first-of-type{break-before:auto}
 .charts{grid-template-columns:1fr 1fr 1fr}.chart,.tiles,.finding header,tr{break-inside:avoid}
 thead{display:table-header-group}thead th{position:static}th .arrow{display:none}
 .table-wrap{overflow:visible}a{color:inherit}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

const SCRIPT = `(function(){
document.querySelectorAll('table.sortable').forEach(function(table){
 var heads=table.tHead.rows[0].cells;
 Array.prototype.forEach.call(heads,function(th,col){
  th.querySelector('button').addEventListener('click',function(){
   var dir=th.getAttribute('aria-sort')==='ascending'?'descending':'ascending';
   Array.prototype.forEach.call(heads,function(o){o.removeAttribute('aria-sort');});
   th.setAttribute('aria-sort',dir);
   var numeric=th.getAttribute('data-type')==='number';
   var body=table.tBodies[0];
   var key=function(row){var v=row.cells[col].getAttribute('data-sort');
    if(numeric)return v===''?-Infinity:Number(v);return v.toLowerCase();};
   var rows=Array.prototype.slice.call(body.rows);
   rows.sort(function(a,b){var x=key(a),y=key(b);var c=x<y?-1:x>y?1:0;return dir==='ascending'?c:-c;});
   rows.forEach(function(r){body.appendChild(r);});
  });
 });
});
})();`;

/** The whole page. */
export function renderHtml(report: PostureReport): string {
  const src =
    report.source.kind === 'ndjson'
      ? `NDJSON ${report.source.input_dir}`
      : `Elasticsearch ${report.source.url}`;
  const accounts = report.accounts.map((a) => a.account_number);
  const toc =
    accounts.length > 1
      ? `<nav class="toc">Accounts: ${accounts.map((n) => `<a href="#account-${esc(n)}">${esc(n)}</a>`).join('')}</nav>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LastPass posture report — ${esc(accounts.join(', '))}</title>
<style>${CSS}</style>
</head>
<body>
<header class="masthead">
<div class="brand">LastPass Enterprise for Elastic</div>
<h1>Posture and evidence report</h1>
<dl>
<div><dt>Generated</dt><dd>${time(report.generated_at, null)}</dd></div>
<div><dt>Source</dt><dd>${esc(src)}</dd></div>
<div><dt>Accounts</dt><dd data-accounts="${accounts.length}">${esc(accounts.join(', '))}</dd></div>
</dl>
</header>
<main>
${toc}
${report.accounts.map((a) => account(a, report)).join('\n')}
</main>
<footer>Generated by ${esc(report.generator.name)} ${esc(report.generator.version)} · schema ${esc(report.schema)} · times are shown in each account's time zone; posture.json holds the same data in UTC (RFC 3339).</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
