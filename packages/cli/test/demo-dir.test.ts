// `demo --output-dir` never deletes what the demo did not write (issue #15 item 1).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_MARKER, resetDemoDir } from '../src/commands/demo';
import { main, memoryIo } from '../src';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpe-demo-dir-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('demo --output-dir', () => {
  it('refuses a non-empty folder it did not make: exit 2, one line, every file kept', async () => {
    const target = join(dir, 'precious');
    mkdirSync(join(target, 'sub'), { recursive: true });
    writeFileSync(join(target, 'report.pdf'), 'mine');
    writeFileSync(join(target, 'lastpass_enterprise.event_report-default.ndjson'), '{"real":"data"}\n');
    const t = memoryIo({ cwd: dir });
    expect(await main(['demo', '--events', '50', '--output-dir', target], t)).toBe(2);
    expect(t.err().trimEnd().split('\n')).toEqual([
      `lastpass-elastic demo: --output-dir: ${target} is not empty and is not a demo folder (no ${DEMO_MARKER}); the demo resets its folder, so give a new or empty one`,
    ]);
    expect(readdirSync(target).sort()).toEqual([
      'lastpass_enterprise.event_report-default.ndjson',
      'report.pdf',
      'sub',
    ]);
  });

  it('uses a new folder, marks it, and on the next run resets only what it wrote there', async () => {
    const target = join(dir, 'demo');
    const first = memoryIo({ cwd: dir });
    expect(await main(['demo', '--events', '50', '--output-dir', target], first)).toBe(0);
    expect(first.out()).toMatch(/\(exactly once\)/);
    // its own summary is the output: the collector's info lines (progress, stream ends) stay out of it
    expect(first.err()).not.toMatch(/"level":30/);
    expect(existsSync(join(target, DEMO_MARKER))).toBe(true);
    expect(existsSync(join(target, 'state'))).toBe(true);
    writeFileSync(join(target, 'notes.txt'), 'added by the user');
    writeFileSync(join(target, 'lastpass_enterprise.event_report-default.ndjson.1'), 'stale rotation\n');
    const second = memoryIo({ cwd: dir });
    expect(await main(['demo', '--events', '50', '--output-dir', target], second)).toBe(0);
    expect(second.out()).toMatch(/\(exactly once\)/);
    expect(readdirSync(target)).toContain('notes.txt');
    expect(readdirSync(target)).not.toContain('lastpass_enterprise.event_report-default.ndjson.1');
  }, 60_000); // two demo runs: 2-3 s on an idle machine, more than jest's default 5 s on the shared 2 cores

  it('the default ./output/demo of an earlier version (no marker, only demo files) is still reset; a foreign file there is not', () => {
    const legacy = join(dir, 'output', 'demo');
    mkdirSync(join(legacy, 'state', '8771312'), { recursive: true });
    writeFileSync(join(legacy, 'lastpass_enterprise.user-default.ndjson'), '{}\n');
    resetDemoDir(legacy, true);
    expect(readdirSync(legacy)).toEqual([DEMO_MARKER]);

    rmSync(join(legacy, DEMO_MARKER));
    writeFileSync(join(legacy, 'mine.csv'), 'x');
    expect(() => {
      resetDemoDir(legacy, true);
    }).toThrow(/is not empty and is not a demo folder/);
    expect(() => {
      resetDemoDir(join(dir, 'other'), false);
    }).not.toThrow();
    writeFileSync(join(dir, 'plain-file'), 'x');
    expect(() => {
      resetDemoDir(join(dir, 'plain-file'), false);
    }).toThrow(/is a file, not a folder/);
  });
});
