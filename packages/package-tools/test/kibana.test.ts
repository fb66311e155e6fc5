import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkPackage, generateKibanaAssets, kibanaAssetsDrift, stableUuid, writeKibanaAssets } from '../src';

const fixtures = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'packages');

const ruleYml = (
  o: { id?: string; version?: number; description?: string } = {},
): string => `rule_id: ${o.id ?? '11111111-2222-4333-8444-555555555555'}
version: ${o.version ?? 1}
name: Fixture rule
description: ${o.description ?? 'Counts.'}
type: query
query: 'fixture_pkg.logs_ds.count >= 5'
severity: low
risk_score: 21
threat:
  - { tactic: TA0006, techniques: [T1110.001] }
false_positives: [None.]
note: Look at it.
investigation_fields: [fixture_pkg.logs_ds.count]
`;

function pkgWithDefinitions(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pt-kibana-'));
  cpSync(join(fixtures, 'good_minimal'), dir, { recursive: true });
  const manifest = join(dir, 'manifest.yml');
  writeFileSync(
    manifest,
    readFileSync(manifest, 'utf8').replace(
      'conditions:\n',
      'conditions:\n  elastic:\n    capabilities:\n      - security\n',
    ),
  );
  const defs = join(dir, '_dev', 'shared', 'kibana');
  mkdirSync(join(defs, 'rules'), { recursive: true });
  writeFileSync(
    join(defs, 'rule_defaults.yml'),
    `author: [x]\nlicense: Apache-2.0\nindex: ['logs-fixture_pkg.logs_ds-*']\nrelated_integrations: [{ package: fixture_pkg, version: '^0.1.0' }]\nmax_signals: 100\nsetup: Set it up.\ntags: []\n`,
  );
  writeFileSync(join(defs, 'rules', 'r.yml'), ruleYml());
  return dir;
}

describe('kibana asset generation (lastpass-elastic kibana)', () => {
  it('writes the rule as <rule_id>_<version>.json, with the lock; a second run changes nothing; check agrees', () => {
    const dir = pkgWithDefinitions();
    const first = writeKibanaAssets(dir);
    expect(first.written).toEqual([
      'kibana/security_rule/11111111-2222-4333-8444-555555555555_1.json',
      '_dev/shared/kibana/versions.lock.json',
    ]);
    expect(writeKibanaAssets(dir)).toEqual({ written: [], removed: [] });
    expect(kibanaAssetsDrift(dir)).toEqual({ stale: [], extra: [] });
    expect(checkPackage(dir, { specDir: null }).findings).toEqual([]);
    const so = JSON.parse(
      readFileSync(join(dir, 'kibana/security_rule/11111111-2222-4333-8444-555555555555_1.json'), 'utf8'),
    ) as { attributes: Record<string, unknown> };
    expect(so.attributes['required_fields']).toEqual([
      { name: 'fixture_pkg.logs_ds.count', type: 'long', ecs: false },
    ]);
  });

  it('refuses a changed rule whose version was not raised, and accepts it once raised (old file removed)', () => {
    const dir = pkgWithDefinitions();
    writeKibanaAssets(dir);
    const file = join(dir, '_dev/shared/kibana/rules/r.yml');
    writeFileSync(file, ruleYml({ description: 'Counts more.' }));
    expect(() => generateKibanaAssets(dir)).toThrow(/changed but its version is still 1: raise version/);
    expect(checkPackage(dir, { specDir: null }).findings.map((f) => f.code)).toContain(
      'KIBANA_GENERATED_STALE',
    );
    writeFileSync(file, ruleYml({ description: 'Counts more.', version: 2 }));
    const second = writeKibanaAssets(dir);
    expect(second.removed).toEqual(['kibana/security_rule/11111111-2222-4333-8444-555555555555_1.json']);
    expect(second.written).toContain('kibana/security_rule/11111111-2222-4333-8444-555555555555_2.json');
    writeFileSync(file, ruleYml({ description: 'Counts more.', version: 1 }));
    expect(() => generateKibanaAssets(dir)).toThrow(/version 1 is lower than 2/);
  });

  it('keeps rule ids stable: a rule that changes its rule_id is refused', () => {
    const dir = pkgWithDefinitions();
    writeKibanaAssets(dir);
    writeFileSync(
      join(dir, '_dev/shared/kibana/rules/r.yml'),
      ruleYml({ id: '99999999-2222-4333-8444-555555555555' }),
    );
    expect(() => generateKibanaAssets(dir)).toThrow(/changed its rule_id from 11111111-.* to 99999999-/);
  });

  it('refuses a changed transform whose fleet_transform_version was not raised (Fleet would not reinstall it)', () => {
    const dir = pkgWithDefinitions();
    writeKibanaAssets(dir);
    const file = join(dir, 'elasticsearch/transform/latest_logs/transform.yml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace("sort: '@timestamp'", "sort: '@timestamp'\nfrequency: 10m"),
    );
    expect(() => generateKibanaAssets(dir)).toThrow(
      /transform latest_logs changed but _meta.fleet_transform_version is still 0.1.0/,
    );
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('fleet_transform_version: 0.1.0', 'fleet_transform_version: 0.2.0'),
    );
    expect(writeKibanaAssets(dir).written).toEqual(['_dev/shared/kibana/versions.lock.json']);
  });

  it('reports files in the generated folders that the definitions do not make', () => {
    const dir = pkgWithDefinitions();
    writeKibanaAssets(dir);
    mkdirSync(join(dir, 'kibana', 'dashboard'), { recursive: true });
    writeFileSync(join(dir, 'kibana', 'dashboard', 'fixture_pkg-stray.json'), '{}');
    expect(kibanaAssetsDrift(dir)?.extra).toEqual(['kibana/dashboard/fixture_pkg-stray.json']);
    expect(writeKibanaAssets(dir).removed).toEqual(['kibana/dashboard/fixture_pkg-stray.json']);
  });

  it('names panels, layers and columns with stable UUID-shaped ids', () => {
    expect(stableUuid('a', 'b')).toBe(stableUuid('a', 'b'));
    expect(stableUuid('a', 'b')).not.toBe(stableUuid('a', 'c'));
    expect(stableUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
