import { callScript } from './support';

interface Tree {
  dependencies: Record<string, string>;
  tree: Record<string, { version: string; resolved: string; integrity?: string; dev?: boolean }>;
}

function runtimeTree(lock: unknown, workspaces: unknown): Tree {
  const result = callScript('runtimeTree', lock, workspaces);
  if (!result.ok) throw new Error(result.error);
  return result.value as Tree;
}

function runtimeTreeError(lock: unknown, workspaces: unknown): string {
  const result = callScript('runtimeTree', lock, workspaces);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

const entry = (version: string, extra: Record<string, unknown> = {}) => ({
  version,
  integrity: `sha512-${version}`,
  ...extra,
});

// Shaped like the real lock: a workspace-nested copy (packages/a/node_modules/…), a dev-only copy at the
// top that the run-time tree must not inherit, and two dependents that need two versions of one package.
const LOCK = {
  packages: {
    '': { name: 'repo', workspaces: ['packages/a', 'packages/b'] },
    'packages/a': { version: '0.1.0' },
    'packages/b': { version: '0.1.0' },
    'packages/a/node_modules/w': entry('8.0.0'),
    'node_modules/w': entry('6.0.0', { dev: true }),
    'node_modules/x': entry('1.0.0', { dependencies: { z: '^2.0.0' } }),
    'node_modules/x/node_modules/z': entry('2.0.0'),
    'node_modules/y': entry('1.0.0', {
      dependencies: { z: '^1.5.0' },
      optionalDependencies: { gone: '^1.0.0' },
    }),
    'node_modules/y/node_modules/z': entry('1.5.0'),
    'node_modules/z': entry('3.0.0', { dev: true }),
    'node_modules/@scope/p': entry('4.0.0', { devOptional: true }),
    'node_modules/devonly': entry('1.0.0', { dev: true }),
  },
};

describe('runtimeTree: the third-party tree of package-lock.json for the standalone package', () => {
  const { dependencies, tree } = runtimeTree(LOCK, [
    { dir: 'packages/a', dependencies: { w: '^8.0.0', x: '^1.0.0', '@lastpass-elastic/b': '0.1.0' } },
    { dir: 'packages/b', dependencies: { y: '^1.0.0', '@scope/p': '^4.0.0' } },
  ]);

  it('pins the direct dependencies at the lock versions (workspace-nested copies included, our own left out)', () => {
    expect(dependencies).toEqual({ '@scope/p': '4.0.0', w: '8.0.0', x: '1.0.0', y: '1.0.0' });
  });

  it('hoists one version and nests the other under its dependent; dev-only copies are gone', () => {
    expect(Object.fromEntries(Object.entries(tree).map(([path, e]) => [path, e.version]))).toEqual({
      'node_modules/@scope/p': '4.0.0',
      'node_modules/w': '8.0.0',
      'node_modules/x': '1.0.0',
      'node_modules/y': '1.0.0',
      'node_modules/z': '2.0.0',
      'node_modules/y/node_modules/z': '1.5.0',
    });
    expect(Object.values(tree).some((e) => e.dev === true)).toBe(false);
  });

  it('gives every entry the registry tarball address npm needs to fetch it (the lock omits it)', () => {
    expect(tree['node_modules/@scope/p']?.resolved).toBe('https://registry.npmjs.org/@scope/p/-/p-4.0.0.tgz');
    expect(tree['node_modules/y/node_modules/z']).toMatchObject({
      resolved: 'https://registry.npmjs.org/z/-/z-1.5.0.tgz',
      integrity: 'sha512-1.5.0',
    });
  });

  it('refuses two workspaces that need two versions of one package', () => {
    const lock = { packages: { ...LOCK.packages, 'packages/b/node_modules/x': entry('1.1.0') } };
    expect(
      runtimeTreeError(lock, [
        { dir: 'packages/a', dependencies: { x: '^1.0.0' } },
        { dir: 'packages/b', dependencies: { x: '^1.1.0' } },
      ]),
    ).toBe('the workspaces need two versions of x (1.0.0, 1.1.0): align them');
  });

  it('names a dependency the lock does not hold', () => {
    expect(runtimeTreeError(LOCK, [{ dir: 'packages/a', dependencies: { missing: '^1.0.0' } }])).toBe(
      'package-lock.json: packages/a needs missing, which is not installed: run npm install',
    );
    const lock = {
      packages: { ...LOCK.packages, 'node_modules/x': entry('1.0.0', { dependencies: { q: '^1' } }) },
    };
    expect(runtimeTreeError(lock, [{ dir: 'packages/a', dependencies: { x: '^1.0.0' } }])).toBe(
      'package-lock.json: node_modules/x needs q@^1, which is not installed',
    );
  });
});
