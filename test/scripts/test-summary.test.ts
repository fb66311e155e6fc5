// scripts/test.mjs (npm test) counts what skipped: jest's skipped/todo tests and the steps that skipped their
// work for a missing ../shared, and ends with `N passed, N failed, N skipped` (issue #15 item 13).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main, memoryIo } from '@lastpass-elastic/cli';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = pathToFileURL(join(ROOT, 'scripts', 'test.mjs')).href;

/** Evaluates `expr` with the script's exports as `m` in a node child (jest's CommonJS cannot load ESM). */
function evaluate(expr: string): unknown {
  const code = `import * as m from ${JSON.stringify(SCRIPT)}; process.stdout.write(JSON.stringify(${expr}));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout);
}

describe('npm test summary', () => {
  it('counts skipped jest tests and skipped steps, names them, and ends with the CI summary line', () => {
    const lines = evaluate(
      `m.summaryLines({ passed: 700, failed: 0, pending: 5, todo: 1, skippedSteps: [['conformance', 'skipped: no ../shared/ingest-conformance']], sharedPresent: false })`,
    ) as string[];
    expect(lines.at(-1)).toBe('700 passed, 0 failed, 7 skipped');
    expect(lines.at(-1)).toMatch(/^\d+ passed, \d+ failed(, \d+ skipped)?$/);
    expect(lines.join('\n')).toMatch(/\.\.\/shared is absent .*CI has it/);
    expect(lines.join('\n')).toMatch(
      /skipped: 6 jest test\(s\).*; conformance \(skipped: no \.\.\/shared\/ingest-conformance\)/,
    );
  });

  it('says nothing extra when nothing skipped', () => {
    const lines = evaluate(
      `m.summaryLines({ passed: 3, failed: 1, pending: 0, todo: 0, skippedSteps: [], sharedPresent: true })`,
    );
    expect(lines).toEqual(['3 passed, 1 failed, 0 skipped']);
  });

  it('counts a failed step and a test file that did not run as failures, and names them', () => {
    // lint failed (no jest test), and a workspace's jest run failed with 0 failed tests (a file that does not
    // compile): the gate exits 1, so the line must not read "0 failed".
    const lines = evaluate(
      `m.summaryLines({ passed: 700, failed: 0, pending: 0, todo: 0, skippedSteps: [], sharedPresent: true, failedSteps: [['lint', 'exit 1'], ['jest root', '1 test file(s) did not run']] })`,
    ) as string[];
    expect(lines.at(-1)).toBe('700 passed, 2 failed, 0 skipped');
    expect(lines).toContain('failed: lint (exit 1); jest root (1 test file(s) did not run)');
  });

  it("recognises the package check's and the conformance step's real skip notices", async () => {
    const patterns = evaluate(
      `Object.fromEntries(m.steps.filter((s) => s[2]).map((s) => [s[0], s[2].pattern.source]))`,
    ) as Record<string, string>;
    const check = memoryIo({ cwd: ROOT });
    // A package with no ../shared beside it, as in a plain clone.
    const fixture = join(ROOT, 'test', 'fixtures', 'packages', 'good_minimal');
    expect(await main(['check', '--root', fixture], check)).toBe(0);
    expect(check.out()).toMatch(new RegExp(patterns['package check'] ?? '^$', 'm'));
    const conformance = memoryIo({ cwd: ROOT });
    expect(await main(['conformance', '--enforce-floor', '--dir', '/nonexistent-corpus'], conformance)).toBe(
      0,
    );
    expect(conformance.out()).toMatch(new RegExp(patterns.conformance ?? '^$', 'm'));
  });
});
