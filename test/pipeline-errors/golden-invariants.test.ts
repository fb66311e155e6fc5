// Rules every reviewed golden document (data_stream/*/_dev/test/pipeline/*-expected.json) must follow, so that a
// regenerated golden file cannot quietly accept a mapping mistake:
// - every field is defined with a compatible type (validateDocument), no temporary or empty values;
// - user.email / user.target.email hold only email-shaped values; user.domain is the actor's email domain;
// - the actor stays in user.* (from Username), targets in user.target.*; related.user / related.ip are complete;
// - event_report classification equals the catalog (actions.yml), unknown actions get no guessed category;
// - inventory documents are ECS state documents; shared-folder hide_passwords is the inverse of give.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPackage, validateDocument } from '@lastpass-elastic/package-model';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const pkg = loadPackage(root);

type Doc = Record<string, unknown>;
const get = (doc: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Doc | undefined)?.[key], doc);
const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value];
const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

interface Entry {
  action: string;
  category: string[];
  type: string[];
  outcome?: string;
}
const catalog = new Map(
  (
    parse(readFileSync(join(root, 'test/event-report-catalog/actions.yml'), 'utf8')) as { actions: Entry[] }
  ).actions.map((e) => [e.action.replace(/\s+/g, ' ').trim().toLowerCase(), e] as const),
);

function goldens(stream: string): { where: string; doc: Doc }[] {
  const dir = join(root, 'data_stream', stream, '_dev/test/pipeline');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-expected.json'))
    .flatMap((file) =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { expected: Doc[] }).expected.map((doc, i) => ({
        where: `${stream}/${file}[${i}]`,
        doc,
      })),
    );
}

/** Paths of null, "" , [] or {} values anywhere in the document. */
function emptyValues(node: unknown, path = ''): string[] {
  if (node === null || node === '') return [path];
  if (Array.isArray(node))
    return node.length === 0 ? [path] : node.flatMap((v, i) => emptyValues(v, `${path}[${i}]`));
  if (typeof node === 'object') {
    const entries = Object.entries(node as Doc);
    if (entries.length === 0) return [path];
    return entries.flatMap(([k, v]) => emptyValues(v, path === '' ? k : `${path}.${k}`));
  }
  return [];
}

describe.each(pkg.dataStreams.map((ds) => [ds.name, ds] as const))('golden documents: %s', (stream, ds) => {
  const docs = goldens(stream);

  it('exist', () => {
    expect(docs.length).toBeGreaterThan(4);
  });

  it('define every field with a compatible type and carry no temporary or empty values', () => {
    const problems = docs.flatMap(({ where, doc }) => [
      ...validateDocument(ds, doc).map((p) => `${where}: ${p.path}: ${p.message}`),
      ...['_tmp', '_conf', 'message'].filter((k) => k in doc).map((k) => `${where}: ${k} left over`),
      ...emptyValues(doc).map((p) => `${where}: empty value at ${p}`),
    ]);
    expect(problems).toEqual([]);
  });

  it('put only email-shaped values in email fields, and the actor email domain in user.domain', () => {
    const problems: string[] = [];
    for (const { where, doc } of docs) {
      for (const path of ['user.email', 'user.target.email'])
        for (const v of list(get(doc, path)))
          if (typeof v !== 'string' || !EMAIL.test(v))
            problems.push(`${where}: ${path} = ${JSON.stringify(v)}`);
      const email = get(doc, 'user.email');
      const domain = typeof email === 'string' ? email.slice(email.indexOf('@') + 1) : undefined;
      if (get(doc, 'user.domain') !== domain)
        problems.push(`${where}: user.domain ${String(get(doc, 'user.domain'))}`);
    }
    expect(problems).toEqual([]);
  });

  it('list every user and address in related.*', () => {
    const problems: string[] = [];
    for (const { where, doc } of docs) {
      const users = list(get(doc, 'related.user'));
      for (const v of [...list(get(doc, 'user.name')), ...list(get(doc, 'user.target.name'))])
        if (!users.includes(v)) problems.push(`${where}: related.user lacks ${String(v)}`);
      for (const v of list(get(doc, 'source.ip')))
        if (!list(get(doc, 'related.ip')).includes(v))
          problems.push(`${where}: related.ip lacks ${String(v)}`);
    }
    expect(problems).toEqual([]);
  });

  if (stream === 'event_report') {
    it('keep the actor (Username) in user.name and classify exactly as the catalog says', () => {
      const problems: string[] = [];
      for (const { where, doc } of docs) {
        const username = get(doc, 'lastpass_enterprise.event_report.user_name');
        if (username !== undefined && get(doc, 'user.name') !== username)
          problems.push(
            `${where}: user.name ${JSON.stringify(get(doc, 'user.name'))} is not the Username ${JSON.stringify(username)}`,
          );
        if (get(doc, 'event.kind') !== 'event') {
          problems.push(`${where}: event.kind ${String(get(doc, 'event.kind'))}`);
          continue;
        }
        const action = get(doc, 'event.action');
        const entry = typeof action === 'string' ? catalog.get(action) : undefined;
        const tags = list(get(doc, 'tags'));
        const actual = [get(doc, 'event.category'), get(doc, 'event.type'), get(doc, 'event.outcome')];
        if (entry === undefined) {
          if (!tags.includes('lastpass_unknown_action')) problems.push(`${where}: unknown action not tagged`);
          if (actual.some((v) => v !== undefined)) problems.push(`${where}: unknown action classified`);
        } else if (JSON.stringify(actual) !== JSON.stringify([entry.category, entry.type, entry.outcome])) {
          problems.push(`${where}: ${String(action)} classified as ${JSON.stringify(actual)}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('index the free-text Data both as keyword (exact, aggregations) and as words (.text)', () => {
      const data = ds.fields.find((f) => f.name === 'lastpass_enterprise.event_report.data');
      expect(data?.type).toBe('keyword');
      expect(data?.raw['multi_fields']).toEqual([{ name: 'text', type: 'match_only_text' }]);
    });

    it('name the pseudo-account a "Created LastPass Account" creates as the target, not its owner', () => {
      const created = docs.filter(({ doc }) => get(doc, 'event.action') === 'created lastpass account');
      expect(created.length).toBeGreaterThan(0);
      for (const { where, doc } of created) {
        const data = get(doc, 'lastpass_enterprise.event_report.data');
        expect([where, get(doc, 'user.target.name'), get(doc, 'user.target.email')]).toEqual([
          where,
          data,
          undefined,
        ]);
      }
    });
  } else {
    it('are ECS state documents in category iam', () => {
      const want = stream === 'user' ? ['user', 'info'] : ['info'];
      for (const { where, doc } of docs) {
        expect([where, get(doc, 'event.kind'), get(doc, 'event.category'), get(doc, 'event.type')]).toEqual([
          where,
          'state',
          ['iam'],
          want,
        ]);
      }
    });
  }

  if (stream === 'detailed_shared_folder') {
    it('invert give into hide_passwords and keep the raw flag', () => {
      let members = 0;
      for (const { where, doc } of docs) {
        const member = get(doc, 'lastpass_enterprise.detailed_shared_folder.member') as Doc | undefined;
        if (member === undefined) continue;
        members++;
        expect([where, typeof member['give'], member['hide_passwords']]).toEqual([
          where,
          'boolean',
          !member['give'],
        ]);
      }
      expect(members).toBeGreaterThan(3);
    });
  }
});
