// One jest project per workspace plus the root test/ folder. Tests import workspace sources directly
// (no build needed). ts-jest only transpiles (isolated modules, no type information): `npm run typecheck`
// checks the types. (@swc/jest and jest 30 are avoided on purpose: their platform-specific optional
// binaries are not all on the registry mirror CI uses, which makes `npm ci` reject the lock file.)
// Tests run as CommonJS: `await import('./x.js')` (a lazily loaded module in the sources, kept as a real
// dynamic import in the node16 build) becomes a require that jest can resolve and transform.
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    // inline options: the root tsconfig.json (found from rootDir) overridden for the test runtime
    { tsconfig: { module: 'commonjs', moduleResolution: 'node10' }, diagnostics: false },
  ],
};
const moduleNameMapper = {
  '^@lastpass-elastic/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
// The workspaces, in build order, from the root package.json (one list for jest and scripts/test.mjs).
const workspaces = require('./package.json').workspaces.map((path) => path.replace(/^packages\//, ''));

const project = (displayName, roots) => ({
  displayName,
  rootDir: __dirname,
  testEnvironment: 'node',
  roots,
  testMatch: ['**/*.test.ts'],
  transform,
  moduleNameMapper,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    ...workspaces.map((name) => project(name, [`<rootDir>/packages/${name}/test`])),
    project('root', ['<rootDir>/test']),
  ],
};
