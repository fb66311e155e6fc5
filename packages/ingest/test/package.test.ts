import { join } from 'node:path';
import { fleetPipelineName, loadPackage } from '@lastpass-elastic/package-model';
import {
  applyFleetFinalPipeline,
  createExecutor,
  describeDifferences,
  lintPipeline,
  loadPackagePipelines,
  semanticEqual,
  stableJson,
} from '../src';

const root = join(__dirname, '..', '..', '..');

describe('package pipelines', () => {
  const pkg = loadPackage(root);
  const pipelines = loadPackagePipelines(pkg);

  it('loads every pipeline under its Fleet name with IngestPipeline references resolved', () => {
    for (const ds of pkg.dataStreams) expect(Object.keys(pipelines)).toContain(fleetPipelineName(pkg, ds));
    expect(JSON.stringify(pipelines)).not.toMatch(/IngestPipeline/);
  });

  it('lints clean and compiles', () => {
    for (const [name, definition] of Object.entries(pipelines))
      expect(lintPipeline(definition, { file: name })).toEqual([]);
    expect(() => createExecutor({ pipelines })).not.toThrow();
  });
});

describe('lintPipeline', () => {
  it('reports script, unknown options and conditions outside the grammar with their paths', () => {
    const problems = lintPipeline(
      {
        processors: [
          { script: { tag: 's', source: 'x' } },
          { set: { field: 'a', value: 1, ignore_empty_values: true } },
          { set: { field: 'a', value: 1, if: 'ctx.a =~ /x/' } },
          { rename: { field: 'a', target_field: 'b', on_failure: [{ user_agent: { field: 'x' } }] } },
        ],
      },
      { file: 'p.yml' },
    );
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['INGEST_LINT_PROCESSOR', 'processors.0.script'],
      ['INGEST_LINT_OPTION', 'processors.1.set.ignore_empty_values'],
      ['INGEST_LINT_CONDITION', 'processors.2.set.if'],
      ['INGEST_LINT_PROCESSOR', 'processors.3.rename.on_failure.0.user_agent'],
    ]);
  });
});

describe('Fleet final pipeline steps', () => {
  it('sets event.ingested (seconds) and removes event.original unless preserved', () => {
    const now = new Date('2024-01-02T03:04:05.678Z');
    expect(applyFleetFinalPipeline({ event: { original: 'x', kind: 'event' } }, { now })).toEqual({
      event: { kind: 'event', ingested: '2024-01-02T03:04:05Z' },
    });
    expect(
      applyFleetFinalPipeline({ tags: ['preserve_original_event'], event: { original: 'x' } }, { now })[
        'event'
      ],
    ).toEqual({ original: 'x', ingested: '2024-01-02T03:04:05Z' });
  });
});

describe('pipeline-test comparison helpers', () => {
  it('compares like elastic-package: numbers by value, key order ignored, array order significant', () => {
    expect(semanticEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1.0 })).toBe(true);
    expect(semanticEqual({ b: [1, 2] }, { b: [2, 1] })).toBe(false);
    expect(describeDifferences({ a: { b: 1 } }, { a: { b: 2 } })).toEqual(['a.b: expected 1, got 2']);
    expect(stableJson({ b: 1, a: { d: 1, c: 2 } })).toBe(
      '{\n    "a": {\n        "c": 2,\n        "d": 1\n    },\n    "b": 1\n}\n',
    );
  });
});
