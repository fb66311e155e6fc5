// The event-report action catalog (actions.yml) is the single source of the classification: these tests
// prove that the generated pipeline and test case are up to date, that every classification is allowed by
// ECS, that every action of the reference catalog is covered and that every Data format has a parser.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsFlat } from '@elastic/ecs';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const here = __dirname;
const reference = join(root, '..', 'shared', 'reference', 'lastpass-api.md');

interface Entry {
  action: string;
  category: string[];
  type: string[];
  outcome?: string;
  format: string;
  examples: string[];
}
interface Catalog {
  actions: Entry[];
  formats: Record<string, string>;
}

const catalog = parse(readFileSync(join(here, 'actions.yml'), 'utf8')) as Catalog;
const normalise = (action: string): string => action.replace(/\s+/g, ' ').trim().toLowerCase();
const known = new Set(catalog.actions.map((e) => normalise(e.action)));

interface AllowedValue {
  name: string;
  expected_event_types?: string[];
}
function allowed(field: string): AllowedValue[] {
  const def = (EcsFlat as Record<string, { allowed_values?: AllowedValue[] } | undefined>)[field];
  return def?.allowed_values ?? [];
}

describe('event-report action catalog', () => {
  it('has rendered catalog.yml and test-catalog.json from actions.yml (no drift)', () => {
    const run = spawnSync(process.execPath, [join(here, 'generate.mjs'), '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('classifies every action with ECS-allowed category/type pairs and outcomes', () => {
    const categories = new Map(allowed('event.category').map((v) => [v.name, v.expected_event_types ?? []]));
    const types = new Set(allowed('event.type').map((v) => v.name));
    const outcomes = new Set(allowed('event.outcome').map((v) => v.name));
    expect(categories.size).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const entry of catalog.actions) {
      if (entry.category.length === 0 || entry.type.length === 0)
        problems.push(`${entry.action}: empty category or type`);
      for (const category of entry.category) {
        const expected = categories.get(category);
        if (expected === undefined) {
          problems.push(`${entry.action}: category ${category} is not allowed`);
          continue;
        }
        for (const type of entry.type) {
          if (!types.has(type)) problems.push(`${entry.action}: type ${type} is not allowed`);
          else if (!expected.includes(type))
            problems.push(`${entry.action}: ${category}/${type} is not an ECS pair`);
        }
      }
      if (entry.outcome !== undefined && !outcomes.has(entry.outcome)) {
        problems.push(`${entry.action}: outcome ${entry.outcome} is not allowed`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every format except none a parser in data.yml, and every action a known format', () => {
    const data = readFileSync(
      join(root, 'data_stream/event_report/elasticsearch/ingest_pipeline/data.yml'),
      'utf8',
    );
    const used = new Set([...data.matchAll(/ctx\._tmp\?\.format == '([a-z_]+)'/g)].map((m) => m[1]));
    const declared = Object.keys(catalog.formats).filter((f) => f !== 'none');
    expect(declared.filter((f) => !used.has(f))).toEqual([]);
    expect([...used].filter((f) => f === undefined || !(f in catalog.formats))).toEqual([]);
    expect(catalog.actions.filter((e) => !(e.format in catalog.formats)).map((e) => e.action)).toEqual([]);
  });

  it('tests every action in its attested spelling and in a second casing', () => {
    const testCase = JSON.parse(
      readFileSync(join(root, 'data_stream/event_report/_dev/test/pipeline/test-catalog.json'), 'utf8'),
    ) as { events: { message: string }[] };
    const spellings = testCase.events.map((e) => (JSON.parse(e.message) as { Action: string }).Action);
    const problems: string[] = [];
    for (const entry of catalog.actions) {
      const forms = new Set(spellings.filter((s) => normalise(s) === normalise(entry.action)));
      if (!forms.has(entry.action)) problems.push(`${entry.action}: attested spelling not tested`);
      if (forms.size < 2) problems.push(`${entry.action}: only one casing tested`);
    }
    expect(problems).toEqual([]);
  });

  // Without ../shared the case is reported as skipped (npm test counts it), not as passed.
  if (!existsSync(reference)) console.log(`skipped: ${reference} is absent`);
  (existsSync(reference) ? it : it.skip)(
    'covers every action of the reference catalog (lastpass-api.md §11)',
    () => {
      const text = readFileSync(reference, 'utf8');
      const table = text.slice(text.indexOf('### 11.1 Table'), text.indexOf('### 11.2'));
      const attested: string[] = [];
      for (const line of table.split('\n')) {
        const cell = /^\| ([^|]+) \|/.exec(line)?.[1]?.trim();
        if (
          cell === undefined ||
          cell.startsWith('**') ||
          cell.startsWith('Action') ||
          cell.startsWith('---')
        )
          continue;
        for (const raw of cell.split(';')) {
          const name = raw
            .replace(/\([^)]*\)/g, '')
            .replace(/"/g, '')
            .trim();
          if (name === '' || name.includes('<')) continue;
          const [first, second] = name.split(' / ').map((s) => s.trim());
          if (first === undefined) continue;
          attested.push(first);
          if (second !== undefined) {
            attested.push(second.includes(' ') ? second : first.replace(/\S+$/, second));
          }
        }
      }
      expect(attested.length).toBeGreaterThan(80);
      expect(attested.map(normalise).filter((a) => !known.has(a))).toEqual([]);
    },
  );
});
