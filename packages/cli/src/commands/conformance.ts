import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags, type Command } from '../command';

export const conformance: Command = {
  name: 'conformance',
  summary: "run Elasticsearch's ingest REST tests (../shared/ingest-conformance) against the local executor",
  async usage() {
    const { CONFORMANCE_FLOOR } = await import('@lastpass-elastic/ingest');
    return [
      'lastpass-elastic conformance [--dir <corpus dir>] [--enforce-floor] [--verbose]',
      '    default corpus: ../shared/ingest-conformance relative to the repository root;',
      `    --enforce-floor fails when fewer than the pinned floor (${CONFORMANCE_FLOOR}) tests pass`,
    ].join('\n');
  },
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      dir: { type: 'string' },
      'enforce-floor': { type: 'boolean' },
      verbose: { type: 'boolean' },
    });
    const repoRoot = resolve(__dirname, '..', '..', '..', '..');
    const dir =
      values.dir !== undefined
        ? resolve(io.cwd, values.dir)
        : join(repoRoot, '..', 'shared', 'ingest-conformance');
    if (!existsSync(dir)) {
      io.stdout.write(`conformance: skipped, corpus not found at ${dir} (../shared is absent)\n`);
      return 0;
    }
    const { CONFORMANCE_FLOOR, EMULATED_ES_VERSION, runConformance } =
      await import('@lastpass-elastic/ingest');
    const report = runConformance(dir);
    const files = [...new Set(report.results.map((r) => r.file))];
    io.stdout.write(
      `conformance: Elasticsearch ingest REST tests from ${dir}, emulating Elasticsearch ${EMULATED_ES_VERSION}\n`,
    );
    for (const file of files) {
      const rs = report.results.filter((r) => r.file === file);
      const count = (s: string): number => rs.filter((r) => r.status === s).length;
      io.stdout.write(
        `${file}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`,
      );
      for (const r of rs) {
        if (r.status === 'failed') io.stdout.write(`  FAIL  ${r.name}: ${r.reason ?? ''}\n`);
        else if (values.verbose === true && r.status === 'passed') io.stdout.write(`  pass  ${r.name}\n`);
      }
    }
    const skipped = report.results.filter((r) => r.status === 'skipped');
    if (skipped.length > 0) {
      io.stdout.write('skipped:\n');
      for (const r of skipped) io.stdout.write(`  ${r.file} "${r.name}": ${r.reason ?? ''}\n`);
    }
    const ran = report.passed + report.failed;
    const rate = ran === 0 ? 0 : (100 * report.passed) / ran;
    io.stdout.write(`pass rate of the tests that ran: ${rate.toFixed(1)}%\n`);
    io.stdout.write(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped\n`);
    if (values['enforce-floor'] === true && report.passed < CONFORMANCE_FLOOR) {
      io.stderr.write(
        `conformance: ${report.passed} passed is below the pinned floor of ${CONFORMANCE_FLOOR}\n`,
      );
      return 1;
    }
    return 0;
  },
};
