import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryIo, type CommandIo } from '../src';
import { resolvePackageRoot } from '../src/package-root';

const repoRoot = resolve(__dirname, '..', '..', '..');

function io(cwd: string, env: NodeJS.ProcessEnv = {}): CommandIo {
  return memoryIo({ cwd, env });
}

function packageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lpe-root-'));
  writeFileSync(join(dir, 'manifest.yml'), 'name: x\n');
  return dir;
}

describe('resolvePackageRoot', () => {
  const empty = mkdtempSync(join(tmpdir(), 'lpe-empty-'));

  it('takes --root first, relative to the working directory', () => {
    const pkg = packageDir();
    mkdirSync(join(pkg, 'sub'));
    expect(resolvePackageRoot(io(join(pkg, 'sub'), { LASTPASS_ELASTIC_PACKAGE_DIR: repoRoot }), '..')).toBe(
      pkg,
    );
  });

  it('then LASTPASS_ELASTIC_PACKAGE_DIR, then a working directory holding a package', () => {
    const pkg = packageDir();
    expect(resolvePackageRoot(io(empty, { LASTPASS_ELASTIC_PACKAGE_DIR: pkg }), undefined)).toBe(pkg);
    expect(resolvePackageRoot(io(pkg), undefined)).toBe(pkg);
  });

  it('falls back to the package the command was installed with (this checkout)', () => {
    expect(resolvePackageRoot(io(empty), undefined)).toBe(repoRoot);
  });

  it('names the source of a folder without manifest.yml', () => {
    expect(() => resolvePackageRoot(io(empty), '.')).toThrow(
      `--root: expected a package folder with a manifest.yml, got ${empty}`,
    );
    expect(() =>
      resolvePackageRoot(io(repoRoot, { LASTPASS_ELASTIC_PACKAGE_DIR: empty }), undefined),
    ).toThrow(/^LASTPASS_ELASTIC_PACKAGE_DIR: expected a package folder/);
  });
});
