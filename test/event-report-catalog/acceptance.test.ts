// Issue 5 acceptance, through the CLI exactly as a user runs it:
//   lastpass-elastic pipeline --data-stream event_report --time-zone America/New_York --account-number 1
// maps every catalog action (attested spelling, UPPER CASE and lower case with stray whitespace) to the
// catalog's non-empty, ECS-allowed event.category / event.type (and outcome), and gives different _ids to
// two identical records with occurrences 0 and 1 (the same _id when a record is read again).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsFlat } from '@elastic/ecs';
import { main, memoryIo } from '@lastpass-elastic/cli';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');

interface Entry {
  action: string;
  category: string[];
  type: string[];
  outcome?: string;
}
const actions = (parse(readFileSync(join(__dirname, 'actions.yml'), 'utf8')) as { actions: Entry[] }).actions;

async function runPipeline(lines: unknown[]): Promise<Record<string, unknown>[]> {
  const io = memoryIo({ cwd: root, input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' });
  const argv = ['pipeline', '--data-stream', 'event_report', '--time-zone', 'America/New_York'];
  const code = await main([...argv, '--account-number', '1'], io);
  expect(code).toBe(0);
  return io
    .out()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function raw(action: string, occurrence: number, data = ''): unknown {
  const record = {
    Time: '2024-03-01 10:00:00',
    Username: 'ana@example.com',
    IP_Address: '192.0.2.10',
    Action: action,
    Data: data,
  };
  return { message: JSON.stringify(record), lastpass_enterprise: { event_report: { occurrence } } };
}

type Source = { event?: { category?: unknown; type?: unknown; outcome?: unknown; kind?: unknown } };

describe('lastpass-elastic pipeline: event_report acceptance', () => {
  it('classifies every catalog action, in any casing and spacing, with ECS-allowed values', async () => {
    const categories = new Map(
      (EcsFlat['event.category'].allowed_values ?? []).map((v) => [v.name, v.expected_event_types ?? []]),
    );
    const spellings = actions.flatMap(
      (e) =>
        [
          [e, e.action],
          [e, e.action.toUpperCase()],
          [e, `  ${e.action.toLowerCase().replace(/ /g, '  ')} `],
        ] as const,
    );
    const out = await runPipeline(spellings.map(([, spelling]) => raw(spelling, 0)));
    expect(out).toHaveLength(spellings.length);
    const problems: string[] = [];
    out.forEach((line, i) => {
      const [entry, spelling] = spellings[i]!;
      const event = (line['_source'] as Source | undefined)?.event;
      const category = event?.category as string[] | undefined;
      const type = event?.type as string[] | undefined;
      if (event?.kind !== 'event' || category === undefined || type === undefined) {
        problems.push(`${JSON.stringify(spelling)}: not classified: ${JSON.stringify(line)}`);
        return;
      }
      if (category.length === 0 || type.length === 0) problems.push(`${spelling}: empty category or type`);
      for (const c of category)
        for (const t of type)
          if (!(categories.get(c) ?? []).includes(t))
            problems.push(`${spelling}: ${c}/${t} not allowed by ECS`);
      const got = JSON.stringify([category, type, event.outcome]);
      const want = JSON.stringify([entry.category, entry.type, entry.outcome]);
      if (got !== want) problems.push(`${JSON.stringify(spelling)}: ${got}, catalog says ${want}`);
    });
    expect(problems).toEqual([]);
  });

  it('gives identical same-second records different _ids by occurrence, and a re-read the same _id', async () => {
    const [first, second, reread] = await runPipeline([
      raw('Failed Login Attempt', 0),
      raw('Failed Login Attempt', 1),
      raw('Failed Login Attempt', 0),
    ]);
    expect(first!['_id']).toEqual(expect.any(String));
    expect(second!['_id']).toEqual(expect.any(String));
    expect(second!['_id']).not.toBe(first!['_id']);
    expect(reread!['_id']).toBe(first!['_id']);
  });
});
