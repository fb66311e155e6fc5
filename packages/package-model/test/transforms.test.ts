import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  fleetTransformId,
  fleetTransformVersion,
  indexPatternMatches,
  loadPackage,
  readPackage,
  transformDestinations,
  transformIndexTemplateName,
  transformReadName,
} from '../src';

const mini = join(__dirname, 'fixtures', 'mini');
const repo = resolve(__dirname, '..', '..', '..');

function withTransform(transformYml: string, manifestYml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pm-tr-'));
  cpSync(mini, dir, { recursive: true });
  const t = join(dir, 'elasticsearch', 'transform', 'latest_things');
  mkdirSync(join(t, 'fields'), { recursive: true });
  writeFileSync(join(t, 'transform.yml'), transformYml);
  if (manifestYml !== undefined) writeFileSync(join(t, 'manifest.yml'), manifestYml);
  writeFileSync(join(t, 'fields', 'fields.yml'), '- name: organization.id\n  external: ecs\n');
  return dir;
}

const latest = `source:
  index: logs-mini.things-*
dest:
  index: logs-mini_latest.dest_things-1
  aliases:
    - alias: logs-mini_latest.things_all
    - alias: logs-mini_latest.things
      move_on_creation: true
latest:
  unique_key: [organization.id]
  sort: '@timestamp'
_meta:
  fleet_transform_version: 1.2.0
`;

describe('transforms in the package model', () => {
  it('reads transform.yml, manifest.yml and fields (ECS resolved), with Fleet names', () => {
    const pkg = loadPackage(withTransform(latest, 'start: false\n'));
    expect(pkg.transforms).toHaveLength(1);
    const t = pkg.transforms[0]!;
    expect(t.name).toBe('latest_things');
    expect(t.manifest?.start).toBe(false);
    expect(t.fields.map((f) => [f.name, f.type])).toEqual([['organization.id', 'keyword']]);
    expect(fleetTransformVersion(t)).toBe('1.2.0');
    expect(fleetTransformId('mini', t)).toBe('logs-mini.latest_things-default-1.2.0');
    expect(transformIndexTemplateName('mini', t)).toBe('logs-mini.latest_things-template');
    expect(transformReadName(t)).toBe('logs-mini_latest.things');
    expect(transformDestinations(pkg)).toEqual([
      {
        transform: 'latest_things',
        sources: ['things'],
        readName: 'logs-mini_latest.things',
        destIndex: 'logs-mini_latest.dest_things-1',
        transformId: 'logs-mini.latest_things-default-1.2.0',
        indexTemplate: 'logs-mini.latest_things-template',
        uniqueKey: ['organization.id'],
      },
    ]);
  });

  it("uses Fleet's default version 0.1.0 and dest.index when there is no move_on_creation alias", () => {
    const pkg = loadPackage(
      withTransform(latest.replace(/_meta:[\s\S]*$/, '').replace(/ {6}move_on_creation: true\n/, '')),
    );
    const t = pkg.transforms[0]!;
    expect(fleetTransformId('mini', t)).toBe('logs-mini.latest_things-default-0.1.0');
    expect(transformReadName(t)).toBe('logs-mini_latest.dest_things-1');
  });

  it('reports a transform.yml without dest.index as a problem naming the file and path', () => {
    const { problems } = readPackage(withTransform('source:\n  index: x\ndest: {}\n'));
    expect(problems).toEqual([
      expect.objectContaining({ code: 'PACKAGE_MODEL_INVALID', path: 'dest.index' }),
    ]);
    expect(problems[0]?.file).toMatch(/latest_things\/transform\.yml$/);
  });

  it('matches index patterns with * only', () => {
    expect(indexPatternMatches('logs-a.b-*', 'logs-a.b-default')).toBe(true);
    expect(indexPatternMatches('logs-a.b-*', 'logs-a_b-default')).toBe(false);
    expect(indexPatternMatches('logs-a.b', 'logs-a.b')).toBe(true);
  });

  it("names this package's latest-state indices (what the report command and dashboards read)", () => {
    const pkg = loadPackage(repo);
    expect(
      transformDestinations(pkg).map((d) => [d.transform, d.sources, d.readName, d.destIndex, d.transformId]),
    ).toEqual([
      [
        'latest_shared_folder',
        ['detailed_shared_folder'],
        'logs-lastpass_enterprise_latest.detailed_shared_folder',
        'logs-lastpass_enterprise_latest.dest_detailed_shared_folder-1',
        'logs-lastpass_enterprise.latest_shared_folder-default-0.1.0',
      ],
      [
        'latest_user',
        ['user'],
        'logs-lastpass_enterprise_latest.user',
        'logs-lastpass_enterprise_latest.dest_user-1',
        'logs-lastpass_enterprise.latest_user-default-0.1.0',
      ],
    ]);
  });
});
