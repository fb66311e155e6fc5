#!/usr/bin/env node
// `npm test`: the single CI gate. Runs every step in order, prints each step's and each workspace's
// time, and ends with one summary line `N passed, N failed` (jest tests over all workspaces).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = ['node', 'packages/cli/dist/main.js'];
const steps = [
  ['build (tsc -b)', ['npx', 'tsc', '-b', 'tsconfig.build.json']],
  ['typecheck', ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['npx', 'eslint', '--max-warnings', '0', '.']],
  ['format', ['npx', 'prettier', '--check', '--log-level', 'warn', '.']],
  ['boundaries', ['node', 'scripts/check-boundaries.mjs']],
  ['package check', [...cli, 'check']],
  ['docs drift', [...cli, 'docs', '--check']],
  ['kibana assets drift', [...cli, 'kibana', '--check']],
  ['conformance', [...cli, 'conformance', '--enforce-floor']],
];
const workspaces = [
  ...JSON.parse(readFileSync('package.json', 'utf8')).workspaces.map((path) =>
    path.replace(/^packages\//, ''),
  ),
  'root',
];

const timings = [];
let failedSteps = 0;
function run(label, argv) {
  const started = Date.now();
  process.stdout.write(`\n=== ${label}\n`);
  const result = spawnSync(argv[0], argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const seconds = (Date.now() - started) / 1000;
  const ok = result.status === 0;
  timings.push([label, seconds, ok]);
  if (!ok) failedSteps += 1;
  return ok;
}

for (const [label, argv] of steps) run(label, argv);

const outDir = mkdtempSync(join(tmpdir(), 'lpe-jest-'));
let passed = 0;
let failed = 0;
for (const ws of workspaces) {
  const out = join(outDir, `${ws}.json`);
  run(`jest ${ws}`, [
    'npx',
    'jest',
    '--selectProjects',
    ws,
    '--passWithNoTests',
    '--json',
    `--outputFile=${out}`,
  ]);
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  } catch {
    failed += 1;
  }
}

process.stdout.write('\n=== timings\n');
for (const [label, seconds, ok] of timings) {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${seconds.toFixed(1).padStart(7)} s  ${label}\n`);
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failedSteps === 0 && failed === 0 ? 0 : 1;
