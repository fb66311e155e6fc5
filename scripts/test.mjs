#!/usr/bin/env node
// `npm test`: the single CI gate. Runs every step in order, prints each step's and each workspace's
// time, and ends with one summary line `N passed, N failed, N skipped` (jest tests over all workspaces;
// skipped = jest's skipped and todo tests plus the steps that skipped their work; failed = jest's failed tests
// plus the failed steps and test files that did not run).
//
// Some checks read `../shared` beside the repository (Elastic's package-spec, Elasticsearch's ingest REST
// tests, the LastPass API reference): developers' machines and CI have it, a plain clone does not. Without
// it those checks skip — and are counted and named as skipped, never as passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = join(ROOT, '..', 'shared');

const cli = ['node', 'packages/cli/dist/main.js'];
/** [label, argv, when the step's output says it skipped its work: why] */
export const steps = [
  ['build (tsc -b)', ['npx', 'tsc', '-b', 'tsconfig.build.json']],
  ['typecheck', ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['npx', 'eslint', '--max-warnings', '0', '.']],
  ['format', ['npx', 'prettier', '--check', '--log-level', 'warn', '.']],
  ['boundaries', ['node', 'scripts/check-boundaries.mjs']],
  [
    'package check',
    [...cli, 'check'],
    { pattern: /^notice: package-spec not found/m, why: 'schema layer skipped: no ../shared/package-spec' },
  ],
  ['docs drift', [...cli, 'docs', '--check']],
  ['kibana assets drift', [...cli, 'kibana', '--check']],
  [
    'conformance',
    [...cli, 'conformance', '--enforce-floor'],
    { pattern: /^conformance: skipped/m, why: 'skipped: no ../shared/ingest-conformance' },
  ],
];

/**
 * The closing lines: what failed and what skipped (when anything did) and `N passed, N failed, N skipped` —
 * the summary line is the last line, alone, in the form CI reads. `failedSteps` are failures no jest test
 * counts (a failed check step, a jest run whose test file did not run): each is one failure, so the line
 * never reads "0 failed" when the gate fails.
 */
export function summaryLines({
  passed,
  failed,
  pending,
  todo,
  skippedSteps,
  sharedPresent,
  failedSteps = [],
}) {
  const skipped = pending + todo + skippedSteps.length;
  const lines = [];
  if (failedSteps.length > 0)
    lines.push(`failed: ${failedSteps.map(([label, why]) => `${label} (${why})`).join('; ')}`);
  if (!sharedPresent)
    lines.push(
      `../shared is absent (${SHARED}): the package-spec, ingest conformance and API reference checks skipped. It is the developers' reference corpus kept beside the repository; CI has it.`,
    );
  if (skipped > 0) {
    const parts = [];
    if (pending + todo > 0) parts.push(`${pending + todo} jest test(s) (see "skipped" above)`);
    for (const [label, why] of skippedSteps) parts.push(`${label} (${why})`);
    lines.push(`skipped: ${parts.join('; ')}`);
  }
  lines.push(`${passed} passed, ${failed + failedSteps.length} failed, ${skipped} skipped`);
  return lines;
}

function main() {
  process.chdir(ROOT);
  const workspaces = [
    ...JSON.parse(readFileSync('package.json', 'utf8')).workspaces.map((path) =>
      path.replace(/^packages\//, ''),
    ),
    'root',
  ];

  const timings = [];
  const skippedSteps = [];
  /** [label, why] of the failures no jest test counts */
  const failedSteps = [];
  const run = (label, argv, skip) => {
    const started = Date.now();
    process.stdout.write(`\n=== ${label}\n`);
    // A step that may skip has its stdout read (and passed on) to tell whether it did.
    const result = spawnSync(argv[0], argv.slice(1), {
      stdio: ['inherit', skip === undefined ? 'inherit' : 'pipe', 'inherit'],
      env: { ...process.env, FORCE_COLOR: '0' },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (skip !== undefined) process.stdout.write(result.stdout ?? '');
    const seconds = (Date.now() - started) / 1000;
    const ok = result.status === 0;
    const skipped = ok && skip !== undefined && skip.pattern.test(result.stdout ?? '');
    if (skipped) skippedSteps.push([label, skip.why]);
    timings.push([label, seconds, ok ? (skipped ? 'skip' : 'ok') : 'FAIL', skipped ? skip.why : '']);
    return { ok, status: result.status };
  };

  for (const [label, argv, skip] of steps) {
    const { ok, status } = run(label, argv, skip);
    if (!ok) failedSteps.push([label, `exit ${String(status)}`]);
  }

  const outDir = mkdtempSync(join(tmpdir(), 'lpe-jest-'));
  let passed = 0;
  let failed = 0;
  let pending = 0;
  let todo = 0;
  for (const ws of workspaces) {
    const out = join(outDir, `${ws}.json`);
    const label = `jest ${ws}`;
    const { ok } = run(label, [
      'npx',
      'jest',
      '--selectProjects',
      ws,
      '--passWithNoTests',
      '--json',
      `--outputFile=${out}`,
    ]);
    let report;
    try {
      report = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      failedSteps.push([label, 'no result file']);
      continue;
    }
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    pending += report.numPendingTests ?? 0;
    todo += report.numTodoTests ?? 0;
    const broken = report.numRuntimeErrorTestSuites ?? 0;
    if (broken > 0) failedSteps.push([label, `${broken} test file(s) did not run`]);
    else if (!ok && report.numFailedTests === 0) failedSteps.push([label, 'jest failed, no test did']);
  }

  process.stdout.write('\n=== timings\n');
  for (const [label, seconds, status, why] of timings) {
    process.stdout.write(
      `${status.padEnd(4)}  ${seconds.toFixed(1).padStart(7)} s  ${label}${why === '' ? '' : ` (${why})`}\n`,
    );
  }
  const sharedPresent = existsSync(SHARED);
  process.stdout.write(
    `\n${summaryLines({ passed, failed, pending, todo, skippedSteps, sharedPresent, failedSteps }).join('\n')}\n`,
  );
  process.exitCode = failed === 0 && failedSteps.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) main();
