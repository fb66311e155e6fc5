// One jest project per workspace plus the root test/ folder. Tests import workspace sources directly
// (no build needed); @swc/jest only strips types, `npm run typecheck` checks them.
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
};
const moduleNameMapper = { '^@lastpass-elastic/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts' };
const workspaces = ['package-model', 'ingest', 'package-tools', 'simulator', 'collector', 'cli'];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    ...workspaces.map((name) => ({
      displayName: name,
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: [`<rootDir>/packages/${name}/test`],
      testMatch: ['**/*.test.ts'],
      transform,
      moduleNameMapper,
    })),
    {
      displayName: 'root',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform,
      moduleNameMapper,
    },
  ],
};
