import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import {
  BuildError,
  buildPackage,
  checkArchive,
  encodeSavedObject,
  renderAgentTemplate,
  fakeSecretRef,
} from '../src';
import {
  dissectKeys,
  eachProcessor,
  grokKeys,
  removedFieldsOf,
  writtenFields,
} from '../src/check/pipeline-fields';
import { applyPatch } from '../src/check/spec-loader';
import { kqlFields, lensConsistency } from '../src/check/rules/kibana';
import { compareSemVer, compareVersions, parseSemVer } from '../src/semver';

const fixtures = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'packages');

describe('version patches', () => {
  it('applies remove, add (with /-) and replace in order', () => {
    const doc: Record<string, unknown> = { a: [1, 2, 3], b: { c: 1 } };
    applyPatch(
      doc,
      [
        { op: 'remove', path: '/a/0' },
        { op: 'add', path: '/a/-', value: 9 },
        { op: 'replace', path: '/b/c', value: 2 },
        { op: 'add', path: '/d', value: 'x' },
      ],
      'test',
    );
    expect(doc).toEqual({ a: [2, 3, 9], b: { c: 2 }, d: 'x' });
    expect(() => {
      applyPatch(doc, [{ op: 'remove', path: '/nope/x' }], 'test');
    }).toThrow(/does not exist/);
  });

  it('orders pre-releases before releases', () => {
    const a = parseSemVer('1.0.0-beta1');
    const b = parseSemVer('1.0.0');
    expect(a && b && compareSemVer(a, b)).toBeLessThan(0);
    expect(parseSemVer('1.0')).toBeUndefined();
  });

  it('compares pre-release identifiers by semver precedence (numeric ones as numbers)', () => {
    expect(compareVersions('1.0.0-beta.2', '1.0.0-beta.11')).toBe(-1);
    expect(compareVersions('1.0.0-1', '1.0.0-alpha')).toBe(-1);
    expect(compareVersions('1.0.0-rc.1', '1.0.0-rc.1.1')).toBe(-1);
    expect(compareVersions('2.0.0', '1.10.0')).toBe(1);
    expect(compareVersions('1.0.0+build.5', '1.0.0')).toBe(0);
    expect(compareVersions('1.0', '1.0.0')).toBeNaN();
  });
});

describe('fields written by pipelines', () => {
  it('extracts dissect and grok keys', () => {
    expect(dissectKeys('%{a} %{?skip} %{+a} %{b.c->} %{}')).toEqual(['a', 'a', 'b.c']);
    expect(grokKeys('%{IP:source.ip} %{NUMBER:x.n:int} (?<user.name>\\w+) %{WORD}')).toEqual([
      'source.ip',
      'x.n',
      'user.name',
    ]);
  });

  it('honours defaults, foreach, on_failure and later removals', () => {
    const written = writtenFields([
      { set: { tag: 'a', field: '_tmp.x', value: 1 } },
      { date: { tag: 'b', field: '_tmp.x', formats: ['ISO8601'] } },
      { json: { tag: 'c', field: 'message', target_field: 'parsed' } },
      { foreach: { tag: 'd', field: 'list', processor: { set: { field: '_ingest._value.y', value: 1 } } } },
      {
        convert: {
          tag: 'e',
          field: 'a',
          type: 'long',
          on_failure: [{ set: { tag: 'f', field: 'error.message', value: 'x' } }],
        },
      },
      { set: { tag: 'g', field: '{{dynamic}}', value: 1 } },
      { remove: { tag: 'h', field: ['_tmp'] } },
    ]);
    expect(written.map((w) => [w.field, w.writesObject])).toEqual([
      ['@timestamp', false],
      ['parsed', true],
      ['error.message', false],
    ]);
    expect(writtenFields([{ set: { field: '_tmp.z', value: 1 } }], 'processors', ['_tmp'])).toEqual([]);
  });
});

describe('processor walk', () => {
  it('visits each processor, then its on_failure handlers, then a foreach inner processor', () => {
    const processors = [
      { set: { field: 'a', on_failure: [{ remove: { field: 'b' } }] } },
      { foreach: { field: 'list', processor: { remove: { field: '_ingest._value.c' } } } },
    ];
    const seen: string[] = [];
    eachProcessor(processors, 'processors', (type, _opts, here) => seen.push(`${type} ${here}`));
    expect(seen).toEqual([
      'set processors[0].set',
      'remove processors[0].set.on_failure[0].remove',
      'foreach processors[1].foreach',
      'remove processors[1].foreach.processor[0].remove',
    ]);
    expect(removedFieldsOf(processors)).toEqual(['b', '_ingest._value.c']);
  });
});

describe('Fleet agent template rendering', () => {
  it('renders with Fleet helpers, splices yaml vars and keeps secret refs under state', () => {
    const template = [
      'interval: {{interval}}',
      'state:',
      '  token: {{escape_string token}}',
      '{{#contains "forwarded" tags}}',
      'publisher_pipeline.disable_host: true',
      '{{/contains}}',
      '{{#if ssl}}',
      'resource.ssl: {{ssl}}',
      '{{/if}}',
    ].join('\n');
    const config = renderAgentTemplate(
      template,
      { interval: '1h', token: fakeSecretRef('token'), tags: ['forwarded'], ssl: 'verification_mode: none' },
      new Set(['ssl']),
    );
    expect(config).toEqual({
      interval: '1h',
      state: { token: '$co.elastic.secret{fake-token}' },
      'publisher_pipeline.disable_host': true,
      'resource.ssl': { verification_mode: 'none' },
    });
  });

  it("escape_string doubles single quotes like Fleet's helper", () => {
    expect(renderAgentTemplate('a: {{escape_string v}}', { v: "it's" })).toEqual({ a: "it's" });
  });
});

describe('saved objects and archives', () => {
  it('finds the fields a KQL query names', () => {
    expect(kqlFields('event.category : "authentication" and not (user.name : x or a.b:*)')).toEqual([
      'event.category',
      'user.name',
      'a.b',
    ]);
  });

  it('encodes JSON attributes as strings, panels included, and leaves strings alone', () => {
    const encoded = encodeSavedObject({
      id: 'x',
      attributes: {
        panelsJSON: [{ embeddableConfig: { visState: { a: 1 } } }],
        kibanaSavedObjectMeta: { searchSourceJSON: { filter: [] } },
        optionsJSON: '{"already":true}',
      },
    });
    expect(encoded).toEqual({
      id: 'x',
      attributes: {
        panelsJSON: '[{"embeddableConfig":{"visState":"{\\"a\\":1}"}}]',
        kibanaSavedObjectMeta: { searchSourceJSON: '{"filter":[]}' },
        optionsJSON: '{"already":true}',
      },
    });
  });

  it('checks that a Lens state is internally consistent', () => {
    const layer = { columns: { a: {}, b: {} }, columnOrder: ['a', 'b'] };
    const state = (visualization: unknown, l: unknown = layer): Record<string, unknown> => ({
      datasourceStates: { formBased: { layers: { l1: l } } },
      visualization,
    });
    expect(lensConsistency(state({ layerId: 'l1', metricAccessor: 'a' }))).toEqual([]);
    expect(lensConsistency(state({ layers: [{ layerId: 'l1', xAccessor: 'a', accessors: ['c'] }] }))).toEqual(
      ['visualization refers to column c, which layer l1 lacks'],
    );
    expect(lensConsistency(state({ layerId: 'l2', metricAccessor: 'a' }))).toEqual([
      'visualization layer l2 is not a datasource layer',
    ]);
    expect(
      lensConsistency(state({ layerId: 'l1' }, { columns: { a: {} }, columnOrder: ['a', 'b'] })),
    ).toEqual(['layer l1: columnOrder (a, b) differs from columns (a)']);
    expect(lensConsistency({})).toEqual(['Lens state must use datasourceStates.formBased.layers']);
  });

  it("reports Kibana's archive rules", () => {
    const zip = zipSync({
      'pkg-1.0.0/manifest.yml': strToU8('name: pkg\nversion: 1.0.0\ntitle: P\n'),
      'pkg-1.0.0/data_stream/a/manifest.yml': strToU8('title: A\n'),
      'other/file.txt': strToU8('x'),
    });
    const problems = checkArchive(zip, 'pkg', '1.0.0');
    expect(problems).toEqual(
      expect.arrayContaining([
        'entry other/file.txt is outside the single top folder pkg-1.0.0/',
        'manifest.yml lacks description',
        'manifest.yml lacks format_version',
        'manifest.yml lacks owner',
        'data_stream/a/manifest.yml needs title and type',
      ]),
    );
  });

  it('writes no zip when the built package fails its checks', () => {
    const out = mkdtempSync(join(tmpdir(), 'lpe-bad-build-'));
    expect(() => buildPackage(join(fixtures, 'bad_pipeline_tag'), { outDir: out, specDir: null })).toThrow(
      BuildError,
    );
    expect(existsSync(join(out, 'fixture_pkg-0.1.0.zip'))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });
});
