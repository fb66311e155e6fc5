import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkPackage } from '../src';

const ROOT = resolve(__dirname, '../../..');

describe("check: Fleet's transform id must pass Elasticsearch's id rules", () => {
  it('the package passes; a transform folder that makes the id longer than 64 characters is a TRANSFORM_META finding', () => {
    const ours = checkPackage(ROOT, { specDir: null, docs: false }).findings;
    expect(ours.filter((f) => f.code === 'TRANSFORM_META')).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'lpe-transform-id-'));
    try {
      for (const entry of ['manifest.yml', 'changelog.yml', 'data_stream', 'elasticsearch', '_dev', 'docs'])
        cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
      const base = join(dir, 'elasticsearch', 'transform');
      renameSync(join(base, 'latest_shared_folder'), join(base, 'latest_detailed_shared_folder'));
      const findings = checkPackage(dir, { specDir: null, docs: false }).findings.filter(
        (f) => f.code === 'TRANSFORM_META',
      );
      expect(findings.map((f) => f.message)).toEqual([
        "Fleet installs this transform as logs-lastpass_enterprise.latest_detailed_shared_folder-default-0.1.0 (68 characters): Elasticsearch refuses transform ids longer than 64 characters or with characters other than a-z, 0-9, '-', '_', '.'; shorten the folder name latest_detailed_shared_folder",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
