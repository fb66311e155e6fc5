import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ECS_VERSION,
  PackageModelError,
  dataStreamName,
  fleetPipelineName,
  fieldIndex,
  getDataStream,
  indexTemplateName,
  loadPackage,
  readPackage,
  validateDocument,
} from '../src';

const mini = join(__dirname, 'fixtures', 'mini');

function copyMini(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pm-'));
  cpSync(mini, dir, { recursive: true });
  return dir;
}

describe('loadPackage', () => {
  const pkg = loadPackage(mini);
  const ds = getDataStream(pkg, 'things');

  it('reads the manifest and data streams', () => {
    expect(pkg.manifest.name).toBe('mini');
    expect(pkg.dataStreams.map((d) => d.name)).toEqual(['things']);
    expect(ds.dataset).toBe('mini.things');
    expect(ds.type).toBe('logs');
    expect(ds.pipelineFiles.map((p) => p.base)).toEqual(['default', 'aux']);
  });

  it('flattens groups and resolves external ecs fields from @elastic/ecs', () => {
    const byName = new Map(ds.fields.map((f) => [f.name, f]));
    expect(byName.get('mini.things.count')?.type).toBe('long');
    expect(byName.has('mini.things')).toBe(false);
    expect(byName.get('source.ip')).toMatchObject({ type: 'ip', external: 'ecs' });
    expect(byName.get('event.category')?.normalize).toEqual(['array']);
    expect(byName.get('event.kind')?.allowedValues).toContain('event');
    expect(byName.get('event.module')?.value).toBe('mini');
    expect(byName.get('source.ip')?.source).toMatch(/ecs\.yml$/);
  });

  it('names things the way Fleet does', () => {
    expect(fleetPipelineName(pkg, ds)).toBe('logs-mini.things-1.2.3');
    expect(fleetPipelineName(pkg, ds, 'aux')).toBe('logs-mini.things-1.2.3-aux');
    expect(indexTemplateName(pkg, ds)).toBe('logs-mini.things');
    expect(dataStreamName(ds, 'prod')).toBe('logs-mini.things-prod');
  });

  it('pins ECS to the @elastic/ecs version', () => {
    expect(ECS_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('throws a coded error naming the file for an unknown ECS field', () => {
    const dir = copyMini();
    writeFileSync(
      join(dir, 'data_stream/things/fields/ecs.yml'),
      '- name: event.nonsense\n  external: ecs\n',
    );
    expect(() => loadPackage(dir)).toThrow(PackageModelError);
    const { problems } = readPackage(dir);
    expect(problems[0]).toMatchObject({ code: 'PACKAGE_MODEL_UNKNOWN_ECS_FIELD', path: '[0]' });
    expect(problems[0]?.file).toMatch(/ecs\.yml$/);
  });

  it('rejects duplicate YAML keys and a manifest without a name', () => {
    const dir = copyMini();
    writeFileSync(join(dir, 'data_stream/things/manifest.yml'), 'title: A\ntitle: B\n');
    expect(readPackage(dir).problems[0]?.code).toBe('PACKAGE_MODEL_PARSE_FAILED');
    writeFileSync(join(dir, 'manifest.yml'), 'title: x\nversion: 1.0.0\nformat_version: 3.3.5\n');
    expect(() => loadPackage(dir)).toThrow(/manifest\.yml name/);
  });
});

describe('validateDocument', () => {
  const ds = getDataStream(loadPackage(mini), 'things');

  it('accepts a well-formed document', () => {
    expect(
      validateDocument(ds, {
        '@timestamp': '2024-01-01T00:00:00Z',
        event: { kind: 'event', category: ['iam'], module: 'mini' },
        source: { ip: '10.0.0.1' },
        mini: { things: { count: 3, ok: true, extra: { any: { thing: 1 } }, labels: { a: 'b' } } },
        'user.name': 'alice',
        data_stream: { type: 'logs', dataset: 'mini.things', namespace: 'default' },
        ignored: null,
      }),
    ).toEqual([]);
  });

  it('reports undefined fields and incompatible types with their paths', () => {
    const problems = validateDocument(ds, {
      '@timestamp': 'yesterday',
      event: { kind: 'nope', category: 'iam', module: 'other' },
      source: { ip: 'not-an-ip' },
      mini: { things: { count: 1.5, ok: 'yes', surprise: 1 } },
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      '@timestamp',
      'event.category',
      'event.kind',
      'event.module',
      'mini.things.count',
      'mini.things.ok',
      'mini.things.surprise',
      'source.ip',
    ]);
    expect(problems.find((p) => p.path === 'mini.things.surprise')?.message).toMatch(/undefined/);
    const kind = (path: string): string | undefined => problems.find((p) => p.path === path)?.kind;
    expect([kind('event.kind'), kind('mini.things.count'), kind('mini.things.surprise')]).toEqual([
      'allowed_value',
      'type',
      'undefined',
    ]);
  });

  it('looks fields up by name, by wildcard and under open types, from one cached index', () => {
    const index = fieldIndex(ds);
    expect(fieldIndex(ds)).toBe(index);
    expect(index.lookup('mini.things.count')?.type).toBe('long');
    expect(index.lookup('mini.things.labels.team')?.name).toBe('mini.things.labels.*');
    expect(index.lookup('mini.things.labels.a.b')).toBeUndefined();
    expect(index.underOpen('mini.things.extra.deep.key')).toBe(true);
    expect(index.underOpen('mini.things.surprise')).toBe(false);
  });
});
