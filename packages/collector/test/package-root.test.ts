import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findPackageRoot } from '../src';

describe('findPackageRoot', () => {
  it('finds this checkout from the collector code, as it finds an installed tarball root', () => {
    expect(findPackageRoot({})).toBe(resolve(__dirname, '..', '..', '..'));
  });

  it('walks up from a nested folder to the nearest lastpass_enterprise manifest', () => {
    const root = mkdtempSync(join(tmpdir(), 'lpe-pkg-'));
    writeFileSync(join(root, 'manifest.yml'), 'format_version: 3.3.5\nname: lastpass_enterprise\n');
    const nested = join(root, 'packages', 'collector', 'dist', 'sink');
    mkdirSync(nested, { recursive: true });
    expect(findPackageRoot({}, nested)).toBe(root);
  });

  it('takes LASTPASS_ELASTIC_PACKAGE_DIR, and names it when it holds no package', () => {
    const other = mkdtempSync(join(tmpdir(), 'lpe-other-'));
    writeFileSync(join(other, 'manifest.yml'), 'name: lastpass\n');
    expect(() => findPackageRoot({ LASTPASS_ELASTIC_PACKAGE_DIR: other })).toThrow(
      /^LASTPASS_ELASTIC_PACKAGE_DIR: .* holds no lastpass_enterprise manifest\.yml$/,
    );
  });
});
