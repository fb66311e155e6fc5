import {
  kqlMatches,
  kqlQueryFields,
  kqlValuesOf,
  parseKql,
  runRule,
  type IndexedDocument,
  type RuleSpec,
} from '../src';

const types: Record<string, string> = {
  'event.action': 'keyword',
  'event.outcome': 'keyword',
  'user.name': 'keyword',
  'source.ip': 'ip',
  'lastpass_enterprise.event_report.api_poll': 'boolean',
  'lastpass_enterprise.event_report.data.text': 'match_only_text',
  'lastpass_enterprise.event_report.occurrence': 'long',
  '@timestamp': 'date',
};
const typeOf = (f: string): string | undefined => types[f];
const match = (query: string, doc: unknown): boolean => kqlMatches(parseKql(query), doc, typeOf);

describe('KQL (our evaluator, not Kibana)', () => {
  const doc = {
    event: { action: 'failed login attempt', outcome: 'failure' },
    user: { name: 'ana@example.com' },
    source: { ip: '10.16.4.2' },
    tags: ['forwarded', 'lastpass_api_poll'],
    'lastpass_enterprise.event_report': { api_poll: true, occurrence: 3, data: 'LastPass via Chrome v4.1' },
  };

  it.each([
    ['event.action : "failed login attempt"', true],
    ['event.action : failed*', true],
    ['event.action : Failed*', false],
    ['event.action : ("log in" or "failed login attempt")', true],
    ['event.action : "log in" or user.name : ana@example.com', true],
    ['event.action : "log in" and user.name : ana@example.com', false],
    ['not event.action : "log in"', true],
    ['NOT tags : lastpass_api_poll', false],
    ['tags : forwarded AND tags : lastpass_api_poll', true],
    ['tags : (forwarded and not lastpass_api_poll)', false],
    ['user.name : *@example.com', true],
    ['user.name : *', true],
    ['user.email : *', false],
    ['not user.email : *', true],
    ['lastpass_enterprise.event_report.api_poll : true', true],
    ['lastpass_enterprise.event_report.api_poll : false', false],
    ['lastpass_enterprise.event_report.occurrence >= 3', true],
    ['lastpass_enterprise.event_report.occurrence > 3', false],
    ['source.ip : 10.16.0.0/16', true],
    ['source.ip : 10.17.0.0/16', false],
    ['lastpass_enterprise.event_report.data.text : chrome', true],
    ['lastpass_enterprise.event_report.data.text : "via chrome"', true],
    ['lastpass_enterprise.event_report.data.text : "chrome via"', false],
    ['(event.outcome : failure) and ((user.name : "ana@example.com"))', true],
    ['', true],
  ])('%s → %s', (query, expected) => {
    expect(match(query, doc)).toBe(expected);
  });

  it('resolves date math in ranges against the given now', () => {
    const q = parseKql('@timestamp < now-30d');
    const now = Date.parse('2024-06-01T00:00:00Z');
    expect(kqlMatches(q, { '@timestamp': '2024-04-01T00:00:00Z' }, typeOf, now)).toBe(true);
    expect(kqlMatches(q, { '@timestamp': '2024-05-15T00:00:00Z' }, typeOf, now)).toBe(false);
    expect(kqlMatches(q, { '@timestamp': '2024-04-01T00:00:00Z' }, typeOf)).toBe(false);
  });

  it('treats an escaped * as a literal character', () => {
    expect(match('user.name : a\\*b', { user: { name: 'a*b' } })).toBe(true);
    expect(match('user.name : a\\*b', { user: { name: 'axb' } })).toBe(false);
  });

  it.each([
    ['event.action', /free text/],
    ['event.action : ', /expected a value/],
    ['(event.action : x', /expected "\)"/],
    ['event.* : x', /wildcard field names/],
    ['user : { name : x }', /nested field queries/],
    ['event.action : "open', /unterminated/],
  ])('refuses %j with a positioned error', (query, message) => {
    expect(() => parseKql(query)).toThrow(message);
    expect(() => parseKql(query)).toThrow(/at character \d+/);
  });

  it('lists the fields and the values a query compares', () => {
    const q = parseKql(
      'event.action : ("make admin" or "remove admin") and not tags : lastpass_api_poll and user.name : *',
    );
    expect(kqlQueryFields(q)).toEqual(['event.action', 'tags', 'user.name']);
    expect(kqlValuesOf(q, 'event.action')).toEqual(['make admin', 'remove admin']);
  });
});

describe('rule replay (our model of the detection engine, not Kibana)', () => {
  const t0 = Date.parse('2024-06-01T00:00:00Z');
  const at = (min: number): string => new Date(t0 + min * 60_000).toISOString();
  let n = 0;
  const ev = (
    min: number,
    action: string,
    user: string,
    extra: Record<string, unknown> = {},
  ): IndexedDocument => ({
    index: 'logs-x.events-default',
    id: `d${(n += 1)}`,
    source: { '@timestamp': at(min), event: { action }, user: { name: user }, ...extra },
  });
  const base = { language: 'kuery' as const, index: ['logs-x.events-*'], interval: '5m', from: 'now-15m' };
  const day = { start: t0, end: t0 + 24 * 60 * 60_000 };

  it('query: one alert per matching document even though runs overlap', () => {
    const spec: RuleSpec = {
      ...base,
      rule_id: 'q',
      name: 'q',
      type: 'query',
      query: 'event.action : "make admin"',
    };
    const docs = [ev(3, 'make admin', 'a'), ev(4, 'log in', 'a'), ev(61, 'make admin', 'b')];
    const alerts = runRule(spec, docs, day, typeOf);
    expect(alerts.map((a) => a.documents)).toEqual([[docs[0]!.id], [docs[2]!.id]]);
    expect(runRule({ ...spec, index: ['logs-other-*'] }, docs, day, typeOf)).toEqual([]);
  });

  it('threshold: groups by field, needs the count and the cardinality, and does not re-count alerted events', () => {
    const spec: RuleSpec = {
      ...base,
      rule_id: 't',
      name: 't',
      type: 'threshold',
      query: 'event.action : "failed login attempt"',
      threshold: { field: ['user.name'], value: 5 },
    };
    const burst = Array.from({ length: 7 }, (_, i) => ev(20 + i, 'failed login attempt', 'victim'));
    const few = Array.from({ length: 4 }, (_, i) => ev(100 + i * 2, 'failed login attempt', 'other'));
    const alerts = runRule(spec, [...burst, ...few], day, typeOf);
    expect(alerts).toHaveLength(1);
    // the run at minute 25 sees 6 of them (20..25): one alert; the 7th (26) is not enough on its own
    expect(alerts[0]).toMatchObject({ terms: ['victim'], count: 6 });
    // two more failures later: with the 26th they are 3, and the 6 already alerted on are not counted again
    const later = Array.from({ length: 2 }, (_, i) => ev(30 + i, 'failed login attempt', 'victim'));
    expect(runRule(spec, [...burst, ...later], day, typeOf)).toHaveLength(1);
    // four more: with the 26th they are 5 uncounted failures, a second alert
    const more = Array.from({ length: 4 }, (_, i) => ev(30 + i, 'failed login attempt', 'victim'));
    expect(runRule(spec, [...burst, ...more], day, typeOf).map((a) => a.count)).toEqual([6, 5]);
    const spray = {
      ...spec,
      threshold: { field: [], value: 5, cardinality: [{ field: 'user.name', value: 3 }] },
    };
    expect(runRule(spray, burst, day, typeOf)).toEqual([]);
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map((u, i) => ev(200 + i, 'failed login attempt', u));
    expect(runRule(spray, users, day, typeOf)).toHaveLength(1);
  });

  it('new_terms: alerts on a combination unseen in the history window, once', () => {
    const spec: RuleSpec = {
      ...base,
      rule_id: 'n',
      name: 'n',
      type: 'new_terms',
      query: 'event.action : "log in"',
      new_terms_fields: ['user.name', 'source.geo.country_iso_code'],
      history_window_start: 'now-7d',
    };
    const geo = (c: string): Record<string, unknown> => ({ source: { geo: { country_iso_code: c } } });
    const week = { start: t0, end: t0 + 10 * 24 * 60 * 60_000 };
    const docs = [
      ev(10, 'log in', 'ana', geo('SE')),
      ev(24 * 60 * 2, 'log in', 'ana', geo('SE')),
      ev(24 * 60 * 3, 'log in', 'ana', geo('CN')),
      ev(24 * 60 * 3 + 1, 'log in', 'ana', geo('CN')),
      ev(24 * 60 * 3 + 2, 'log in', 'bo', geo('CN')),
    ];
    const alerts = runRule(spec, docs, week, typeOf);
    expect(alerts.map((a) => a.terms)).toEqual([
      ['ana', 'SE'],
      ['ana', 'CN'],
      ['bo', 'CN'],
    ]);
    // with ana's SE login 9 days before, outside the 7-day history, SE is new again
    const again = runRule(spec, [docs[0]!, ev(24 * 60 * 9, 'log in', 'ana', geo('SE'))], week, typeOf);
    expect(again.map((a) => a.terms)).toEqual([
      ['ana', 'SE'],
      ['ana', 'SE'],
    ]);
  });

  it('uses timestamp_override to place documents in runs', () => {
    const spec: RuleSpec = {
      ...base,
      rule_id: 'o',
      name: 'o',
      type: 'query',
      query: 'event.action : "make admin"',
      timestamp_override: 'event.ingested',
    };
    const doc = ev(3, 'make admin', 'a');
    (doc.source['event'] as Record<string, unknown>)['ingested'] = new Date(
      t0 + 2 * 86_400_000,
    ).toISOString();
    expect(runRule(spec, [doc], day, typeOf)).toEqual([]);
    expect(runRule(spec, [doc], { start: t0, end: t0 + 3 * 86_400_000 }, typeOf)).toHaveLength(1);
  });
});
